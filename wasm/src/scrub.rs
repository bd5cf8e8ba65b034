//! A global allocator wrapper that zeroes every block before it is freed.
//!
//! Secrets pass through the module's heap in copies the code cannot reach.
//! wasm-bindgen copies a JavaScript string argument into a heap block and
//! frees it after the call. The canonical ABI does the same for component
//! arguments and results, and serde_json keeps escaped strings in a scratch
//! buffer. Freed memory stays readable, to JavaScript through the module's
//! memory and to the next allocation. Zeroing each block on free removes
//! all of those copies at once.
//!
//! The npm module (`wasm/src/lib.rs`) and the wasmtime guest
//! (`wasm/guest/src/lib.rs`) both wrap their allocator in
//! [`ScrubOnFree`]; the guest includes this file by path.

use core::alloc::{GlobalAlloc, Layout};

/// Wraps an allocator: blocks are zeroed before they go back to it, and a
/// reallocation never leaves the old block behind unzeroed.
pub(crate) struct ScrubOnFree<A>(pub(crate) A);

/// Overwrites `len` bytes at `ptr` with zeros, in a way the optimizer
/// cannot drop as a dead store before a `free`.
///
/// # Safety
///
/// `ptr` must be valid for writes of `len` bytes.
#[allow(unsafe_code)]
unsafe fn scrub(ptr: *mut u8, len: usize) {
    // SAFETY: the caller guarantees `ptr` is writable for `len` bytes.
    unsafe { core::ptr::write_bytes(ptr, 0, len) };
    // The barrier takes the pointer and may read any memory, so the zeros
    // count as read and the `memset` stays.
    core::hint::black_box(ptr);
}

/// The largest alignment that dlmalloc reallocates through its own
/// `realloc`, which shrinks in place; above it, the dlmalloc crate moves
/// every reallocated block.
const IN_PLACE_ALIGN: usize = 8;

// SAFETY: allocation forwards to the inner allocator unchanged. `dealloc`
// zeroes a block the caller still owns, then frees it with the caller's
// layout. A growing `realloc` takes a new block with the same alignment,
// copies the old bytes and frees the old block through `dealloc`. When no
// new block is available, it returns null and leaves the old block as it
// was, as `GlobalAlloc::realloc` requires. A shrinking `realloc` zeroes the bytes
// past `new_size`, which the caller gives up, and forwards.
#[allow(unsafe_code)]
unsafe impl<A: GlobalAlloc> GlobalAlloc for ScrubOnFree<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe {
            scrub(ptr, layout.size());
            self.0.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size <= layout.size() && layout.align() <= IN_PLACE_ALIGN {
            // dlmalloc shrinks a block of this alignment in place, so only
            // the tail it gives up needs zeroing. Copying instead would
            // need both blocks at once: `into_boxed_slice` on a 16 MiB
            // plaintext then took 16 MiB more in the guest.
            unsafe {
                scrub(ptr.add(new_size), layout.size() - new_size);
                return self.0.realloc(ptr, layout, new_size);
            }
        }
        // The inner allocator's `realloc` may move a growing block and free
        // the old one unzeroed, so this copies into a new block instead.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return core::ptr::null_mut();
        };
        unsafe {
            let new = self.0.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use std::alloc::System;
    use std::cell::Cell;

    /// The system allocator, recording whether every freed block was all
    /// zeros.
    struct Recorder {
        frees: Cell<usize>,
        dirty_frees: Cell<usize>,
        fail_next: Cell<bool>,
    }

    // SAFETY: forwards to the system allocator; `dealloc` reads the block
    // it is handed before freeing it.
    unsafe impl GlobalAlloc for Recorder {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if self.fail_next.replace(false) {
                return core::ptr::null_mut();
            }
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let block = unsafe { core::slice::from_raw_parts(ptr, layout.size()) };
            self.frees.set(self.frees.get() + 1);
            if block.iter().any(|&byte| byte != 0) {
                self.dirty_frees.set(self.dirty_frees.get() + 1);
            }
            unsafe { System.dealloc(ptr, layout) }
        }

        /// Shrinks in place, as dlmalloc does; grows by moving.
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if new_size <= layout.size() {
                return ptr;
            }
            let new_layout = Layout::from_size_align(new_size, layout.align()).unwrap();
            unsafe {
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size());
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }

    fn recorder() -> ScrubOnFree<Recorder> {
        ScrubOnFree(Recorder {
            frees: Cell::new(0),
            dirty_frees: Cell::new(0),
            fail_next: Cell::new(false),
        })
    }

    #[test]
    fn freed_blocks_are_zero() {
        let allocator = recorder();
        let layout = Layout::from_size_align(48, 8).unwrap();
        unsafe {
            let block = allocator.alloc(layout);
            assert!(!block.is_null());
            core::ptr::write_bytes(block, 0xA5, 48);
            allocator.dealloc(block, layout);
        }
        assert_eq!(allocator.0.frees.get(), 1);
        assert_eq!(allocator.0.dirty_frees.get(), 0);
    }

    #[test]
    fn realloc_zeroes_old_block() {
        let allocator = recorder();
        let layout = Layout::from_size_align(16, 4).unwrap();
        unsafe {
            let block = allocator.alloc(layout);
            for index in 0..16 {
                block.add(index).write(index as u8 + 1);
            }
            let grown = allocator.realloc(block, layout, 4096);
            assert!(!grown.is_null());
            let prefix = core::slice::from_raw_parts(grown, 16);
            assert_eq!(prefix, (1..=16).collect::<Vec<u8>>());
            assert_eq!(
                allocator.0.dirty_frees.get(),
                0,
                "the old block was freed unzeroed"
            );

            core::ptr::write_bytes(grown.add(16), 0xEE, 4096 - 16);
            let shrunk = allocator.realloc(grown, Layout::from_size_align(4096, 4).unwrap(), 8);
            assert_eq!(shrunk, grown, "the recorder shrinks in place");
            assert_eq!(
                core::slice::from_raw_parts(shrunk, 8),
                [1, 2, 3, 4, 5, 6, 7, 8]
            );
            // The block is still 4096 bytes in the system allocator.
            let given_up = core::slice::from_raw_parts(shrunk.add(8), 4096 - 8);
            assert!(
                given_up.iter().all(|&byte| byte == 0),
                "the tail given up was not zeroed"
            );
            allocator.dealloc(shrunk, Layout::from_size_align(8, 4).unwrap());
        }
        assert_eq!(allocator.0.frees.get(), 2);
        assert_eq!(allocator.0.dirty_frees.get(), 0);
    }

    #[test]
    fn failed_realloc_leaves_the_block() {
        let allocator = recorder();
        let layout = Layout::from_size_align(8, 8).unwrap();
        unsafe {
            let block = allocator.alloc(layout);
            block.write(7);
            // The inner allocator has no block to give.
            allocator.0.fail_next.set(true);
            let failed = allocator.realloc(block, layout, 64);
            assert!(failed.is_null());
            assert_eq!(block.read(), 7);
            allocator.dealloc(block, layout);
        }
        assert_eq!(allocator.0.frees.get(), 1);
    }
}
