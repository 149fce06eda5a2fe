//! Generated source text for highlighting tests and benchmarks.
#![allow(dead_code)] // each test crate that includes this uses a part of it

const C_BLOCK: &[&str] = &[
    "/* A block comment that spans",
    " * several lines, with \"quotes\" and 'ticks'",
    " */",
    "#include <stdio.h>",
    "#define MAX(a, b) ((a) > (b) ? (a) : (b))",
    "",
    "static int counter = 0; // a line comment",
    "",
    "struct point { int x; int y; };",
    "",
    "int step(struct point *p, const char *name) {",
    "    if (p == NULL) {",
    "        return -1;",
    "    }",
    "    for (int i = 0; i < 10; i++) {",
    "        p->x += MAX(i, 3) * 0x1f;",
    "        printf(\"%s: %d\\n\", name, p->x);",
    "    }",
    "    counter++;",
    "    return p->y;",
    "}",
];

/// A C file of `n` lines.
pub fn c_file(n: usize) -> Vec<String> {
    C_BLOCK.iter().cycle().take(n).map(|s| s.to_string()).collect()
}
