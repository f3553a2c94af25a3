//! A counting global allocator with a cap on the bytes a fuzz case may hold.
//!
//! The fuzz test binary installs [`CountingAlloc`] as its `#[global_allocator]`. The driver
//! [`arm`]s it around each case with the bytes live at that moment as the baseline; an
//! allocation that would take the live bytes more than [`CAP`] above the baseline is refused
//! (null, so Rust reports an allocation failure and aborts, or a `try_reserve` gets an error),
//! after writing the case's label, which names the saved input, to stderr; [`disarm`] tells
//! whether that happened. Cases run one at a time, so the process-wide count is the case's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

/// The most bytes a case may hold at once above what was live when it started: 1 GiB.
pub const CAP: usize = 1 << 30;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static BASE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ARMED: AtomicBool = AtomicBool::new(false);
static OVER: AtomicBool = AtomicBool::new(false);

/// The current case's label (fixed storage: the allocator must not allocate to report).
const LABEL_MAX: usize = 512;
static LABEL: [AtomicU8; LABEL_MAX] = [const { AtomicU8::new(0) }; LABEL_MAX];
static LABEL_LEN: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting live bytes and enforcing [`CAP`] while armed.
pub struct CountingAlloc;

impl CountingAlloc {
    /// Records `size` more bytes; false (and nothing recorded) when that breaks the cap.
    fn grow(&self, size: usize) -> bool {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        if ARMED.load(Ordering::Relaxed) {
            let used = live.saturating_sub(BASE.load(Ordering::Relaxed));
            if used > CAP {
                LIVE.fetch_sub(size, Ordering::Relaxed);
                if !OVER.swap(true, Ordering::Relaxed) {
                    report(size);
                }
                return false;
            }
            PEAK.fetch_max(used, Ordering::Relaxed);
        }
        true
    }
}

fn report(size: usize) {
    let mut buf = [0u8; LABEL_MAX];
    let n = LABEL_LEN.load(Ordering::Relaxed).min(LABEL_MAX);
    for (b, a) in buf.iter_mut().zip(&LABEL[..n]) {
        *b = a.load(Ordering::Relaxed);
    }
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(b"assay-fuzz: allocation cap (1 GiB per case) exceeded by a request of ");
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    let mut s = size;
    loop {
        k -= 1;
        digits[k] = b'0' + (s % 10) as u8;
        s /= 10;
        if s == 0 {
            break;
        }
    }
    let _ = err.write_all(&digits[k..]);
    let _ = err.write_all(b" bytes in case ");
    let _ = err.write_all(&buf[..n]);
    let _ = err.write_all(b"\n");
}

// SAFETY: every method forwards to `System` with the same arguments; the counters are only
// bookkeeping, and a refused request returns null as `GlobalAlloc` allows.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !self.grow(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc(layout);
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !self.grow(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc_zeroed(layout);
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !self.grow(new_size - old) {
            return std::ptr::null_mut();
        }
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            if new_size > old {
                LIVE.fetch_sub(new_size - old, Ordering::Relaxed);
            }
        } else if new_size < old {
            LIVE.fetch_sub(old - new_size, Ordering::Relaxed);
        }
        p
    }
}

/// Starts counting a case labelled `label` against the cap.
pub fn arm(label: &str) {
    let b = label.as_bytes();
    let n = b.len().min(LABEL_MAX);
    for (slot, &c) in LABEL.iter().zip(&b[..n]) {
        slot.store(c, Ordering::Relaxed);
    }
    LABEL_LEN.store(n, Ordering::Relaxed);
    OVER.store(false, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    BASE.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    ARMED.store(true, Ordering::SeqCst);
}

/// Stops counting; returns the case's peak bytes above its baseline and whether it was refused
/// an allocation over the cap.
pub fn disarm() -> (usize, bool) {
    ARMED.store(false, Ordering::SeqCst);
    (PEAK.load(Ordering::Relaxed), OVER.load(Ordering::Relaxed))
}

/// Bytes live now (meaningful only when [`CountingAlloc`] is the global allocator).
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}
