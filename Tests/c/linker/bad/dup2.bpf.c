int dup_fn(int x) { return x + 2; }
