"""The voice engine: audio in and out, speech recognition, the language model, speech synthesis and the
pipeline that streams between them. Plain Python; never imports Qt."""
