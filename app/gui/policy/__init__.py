"""Policy editing: the editor, highlighting, outline, find bar, token meter, documents."""
