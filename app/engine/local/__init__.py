"""The local llama.cpp backend: a child process that loads the GGUF and runs cases."""
