//! The decoder needs a few hundred bytes of stack, not the linker's default 1 MB: a 64 KB stack keeps the wasm
//! module's memory at one page before it grows to fit the stream (1 MB less to allocate on every import).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-cdylib-link-arg=-zstack-size=65536");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
