"""Test support code: the synthetic gpt-oss GGUF model writer and its tokenizer trainer."""
