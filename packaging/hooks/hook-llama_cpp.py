"""PyInstaller hook for llama_cpp: it loads ``lib/libllama.so`` and the ggml libraries with ctypes from
beside its own module, which static analysis cannot see. The server and multimodal bindings are unused."""

from PyInstaller.utils.hooks import collect_dynamic_libs

binaries = collect_dynamic_libs("llama_cpp")
excludedimports = ["llama_cpp.server"]
