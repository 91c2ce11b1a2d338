"""The models dialog: catalog, local files, downloads and memory fit."""
