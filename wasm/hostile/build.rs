//! Links wasi-libc for `memcpy`, `memcmp` and `memset`: a `no_std` crate
//! does not get them from `std` on `wasm32-wasip2`, and these functions
//! import nothing from WASI.

fn main() {
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch == "wasm32" {
        println!("cargo:rustc-link-lib=c");
    }
}
