//! The module's heap: dlmalloc, growing the Wasm memory geometrically.
//!
//! The standard library's allocator on `wasm32-unknown-unknown` is
//! dlmalloc, which grows the memory by the pages that one request needs,
//! often a single 64 KiB page. Node 20 (V8 11.3) runs a full garbage
//! collection on many of those grows once the memory passes about 64 MiB.
//! There, a loop of one-page grows took 0.3 to 0.65 s per 1,000 grows, and
//! loading a policy of 100,000 rules took about a minute in Node, against
//! 2 s in Bun and Deno. Growing by at least an eighth of the current memory keeps the
//! number of grows logarithmic in the final size: 49 grows reach 1 GiB.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;

use dlmalloc::{Allocator, Dlmalloc};

use crate::growth::grow_attempts;

// One thread: `UnsafeCell` access below relies on it.
#[cfg(target_feature = "atomics")]
compile_error!("the module allocator assumes a single thread; build without `atomics`");

const PAGE_BYTES: usize = 64 * 1024;

/// The global allocator of the npm module.
pub(crate) struct ModuleAllocator(UnsafeCell<Dlmalloc<GeometricGrowth>>);

// SAFETY: the module runs on one thread (no `atomics` target feature, as
// checked above), so no two calls reach the cell at once, and dlmalloc
// does not allocate from inside its own calls.
#[allow(unsafe_code)]
unsafe impl Sync for ModuleAllocator {}

impl ModuleAllocator {
    pub(crate) const fn new() -> Self {
        Self(UnsafeCell::new(Dlmalloc::new_with_allocator(
            GeometricGrowth,
        )))
    }
}

// SAFETY: each method forwards to the matching dlmalloc call with the
// layout's size and alignment, as dlmalloc's own `GlobalDlmalloc` does.
// Access to the cell is exclusive because the module has one thread.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for ModuleAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { (*self.0.get()).malloc(layout.size(), layout.align()) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { (*self.0.get()).calloc(layout.size(), layout.align()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { (*self.0.get()).free(ptr, layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size) }
    }
}

/// The source of dlmalloc's memory: `memory.grow`, by the sizes that
/// [`grow_attempts`] gives, the first that succeeds.
pub(crate) struct GeometricGrowth;

impl GeometricGrowth {
    /// Grows the memory by `bytes`, rounded up to whole pages, and returns
    /// the new region as dlmalloc expects it, or `None` when the memory
    /// cannot grow that much.
    fn grow(bytes: usize) -> Option<(*mut u8, usize, u32)> {
        let pages = bytes.div_ceil(PAGE_BYTES);
        let previous = wasm32::memory_grow(0, pages);
        if previous == usize::MAX {
            return None;
        }
        let start = previous.wrapping_mul(PAGE_BYTES);
        let mut size = pages.wrapping_mul(PAGE_BYTES);
        // A region that ends at the top of the 4 GiB address space would
        // let a pointer wrap to 0; leave its last bytes unused.
        if start.wrapping_add(size) == 0 {
            size -= 16;
        }
        Some((core::ptr::with_exposed_provenance_mut(start), size, 0))
    }
}

// SAFETY: `alloc` returns only regions that `memory.grow` just added, of
// the size reported, which no one else uses. Fresh pages are zeroed, so
// `allocates_zeros` returns true. Nothing is ever released, since Wasm memory
// cannot shrink.
#[allow(unsafe_code)]
unsafe impl Allocator for GeometricGrowth {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let current = wasm32::memory_size(0).saturating_mul(PAGE_BYTES);
        grow_attempts(size, current)
            .find_map(Self::grow)
            .unwrap_or((core::ptr::null_mut(), 0, 0))
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        core::ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE_BYTES
    }
}
