//! Token verification benchmarks; none are written yet.

fn main() {}
