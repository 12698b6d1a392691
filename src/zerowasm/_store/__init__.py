"""The store: function, table, memory and global instances (Spec: Core 2.0 §4.2.3)."""
