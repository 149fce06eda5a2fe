//! The `rearview` binary: everything it does is in `cli`.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;

/// jemalloc for every allocation in the process, the C libraries' included.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: one arena (the threads that
/// allocate much, the diff's readers, would otherwise each keep their own
/// freed pages). Freed pages go back to the system after jemalloc's usual
/// delay, unless a command asks otherwise ([`hand_back_freed_pages_at_once`]).
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[export_name = "malloc_conf"]
static MALLOC_CONF: &[u8; 10] = b"narenas:1\0";

/// From now on, freed pages go back to the system at once rather than
/// after 10 s: for a command that lives seconds, such as `show`, whose
/// peak would otherwise hold what its diff phase freed (~2 MiB). Not for
/// all: `list`'s parallel scans free and take large buffers all the time,
/// and handing each back costs it 1.5 s of system time on aiohttp.
pub(crate) fn hand_back_freed_pages_at_once() {
    #[cfg(all(target_os = "linux", not(target_env = "musl")))]
    {
        use tikv_jemalloc_ctl::{Access, AsName};
        // The one arena (`narenas:1`), and any made later. A failure only
        // leaves the usual delay: nothing to tell the reader.
        for key in [
            &b"arena.0.dirty_decay_ms\0"[..],
            b"arena.0.muzzy_decay_ms\0",
            b"arenas.dirty_decay_ms\0",
            b"arenas.muzzy_decay_ms\0",
        ] {
            let _ = key.name().write(0isize);
        }
    }
}

fn main() -> std::process::ExitCode {
    cli::main()
}
