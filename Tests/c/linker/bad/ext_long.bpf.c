extern long dup_var;
long use_long(void) { return dup_var; }
