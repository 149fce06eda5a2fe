//! The `rearview` binary: everything it does is in `cli`.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;

/// jemalloc for every allocation in the process, the C libraries' included.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: one arena (the threads that
/// allocate much, the diff's readers, would otherwise each keep their own
/// freed pages), and freed pages handed back at once rather than after 10 s:
/// a command that lives seconds would otherwise only ever see its peak grow.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[export_name = "malloc_conf"]
static MALLOC_CONF: &[u8; 44] = b"narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0\0";

fn main() -> std::process::ExitCode {
    cli::main()
}
