"""Inference backends behind one small protocol. Never imports Qt."""
