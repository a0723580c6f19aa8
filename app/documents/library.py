"""The user's documents as the rest of Aris sees them: the watched folders, their index, and search."""

from __future__ import annotations

from pathlib import Path

from app.documents.errors import FolderError
from app.documents.indexer import Indexer, IndexReport, Progress
from app.documents.search import DocumentSearch, Passage, SearchSettings
from app.documents.store import DocumentStore
from app.documents.vectors import Embedder


class DocumentLibrary:
    """Watched folders, indexing and search over one documents index."""

    def __init__(
        self, store: DocumentStore, embedder: Embedder, settings: SearchSettings | None = None
    ) -> None:
        self.store = store
        self.indexer = Indexer(store, embedder)
        self.searcher = DocumentSearch(store, embedder, settings)

    @classmethod
    def open(
        cls, database: Path, embedder: Embedder, settings: SearchSettings | None = None
    ) -> DocumentLibrary:
        """Open the index at ``database`` (created if missing).

        Raises:
            StorageError: the index cannot be opened.
        """
        return cls(DocumentStore.open(database), embedder, settings)

    def close(self) -> None:
        """Release the index."""
        self.store.close()

    def add_folder(self, folder: Path, progress: Progress | None = None) -> IndexReport:
        """Watch ``folder`` and index it now.

        Raises:
            FolderError: ``folder`` is not an existing folder.
        """
        folder = normalised(folder)
        if not folder.is_dir():
            raise FolderError(f"{folder} is not a folder.")
        for watched in self.store.folders():
            other = Path(watched.path)
            if other != folder and folder.is_relative_to(other):
                raise FolderError(f"{folder} is already indexed as part of {other}.")
            if other != folder and other.is_relative_to(folder):
                raise FolderError(
                    f"{folder} holds {other}, which is indexed on its own: remove it first (docs remove {other})."
                )
        self.store.add_folder(folder)
        return self.indexer.index_folder(folder, progress)

    def remove_folder(self, folder: Path) -> int:
        """Forget ``folder``: its passages leave the index and the database files; returns the files dropped.

        Raises:
            FolderError: the folder is not watched.
        """
        return self.store.remove_folder(normalised(folder))

    def reindex(self, progress: Progress | None = None) -> IndexReport:
        """Bring every watched folder up to date (only new and changed files are read)."""
        return self.indexer.index_all(progress)

    def search(self, question: str, limit: int = 5) -> list[Passage]:
        """The passages that answer ``question`` (none below the relevance threshold), best first."""
        return self.searcher.search(question, limit)


def normalised(folder: Path) -> Path:
    """A folder as the index names it: absolute, with ``~`` and symbolic links resolved."""
    return folder.expanduser().resolve()
