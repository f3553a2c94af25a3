//! Standard output of every command. A reader that stops early (`assay incident list | head -1`,
//! `| true`) closes the pipe; Rust ignores SIGPIPE, so the next write fails with `BrokenPipe`,
//! which `println!` turns into a panic (exit code 101, issue #15). Every command writes to
//! standard output through `outln!`, `out!` or [`lock`] instead. On a closed pipe these
//! unwind to `main` with [`Closed`] (no panic message: [`std::panic::resume_unwind`] skips the
//! panic hook), running every destructor on the way (temporary files are removed, locks
//! released), and `main` ends with exit code 0: the reader had all it wanted.
//!
//! Any other error writing standard output (a full disk behind `>`) ends the command with exit
//! code 2 and the error on standard error.

use std::fmt;
use std::io::{self, Write};

/// The payload of the unwind that ends a command when standard output fails.
pub enum Closed {
    /// The reader closed the pipe: a normal end.
    Pipe,
    /// Another write error.
    Failed(io::Error),
}

/// Ends the command because writing standard output failed with `e`.
fn fail(e: io::Error) -> ! {
    let payload = if e.kind() == io::ErrorKind::BrokenPipe {
        Closed::Pipe
    } else {
        Closed::Failed(e)
    };
    std::panic::resume_unwind(Box::new(payload))
}

/// Standard output as a writer for commands that stream (CSV, JSON lines, tables). It takes
/// the lock per write (callers buffer), so it can move between threads as table writers need.
pub struct Stdout(io::Stdout);

/// Standard output for streaming.
pub fn lock() -> Stdout {
    Stdout(io::stdout())
}

impl Stdout {
    /// Unwinds on a broken pipe, unless already unwinding (a writer's destructor flushing
    /// while the stack unwinds gets the error back instead of a second panic).
    fn check<T>(r: io::Result<T>) -> io::Result<T> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe && !std::thread::panicking() => fail(e),
            r => r,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Self::check(self.0.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        Self::check(self.0.flush())
    }
}

/// Writes formatted text to standard output (what `out!` and `outln!` call).
pub fn print(args: fmt::Arguments<'_>, newline: bool) {
    let mut o = io::stdout().lock();
    let r = o
        .write_fmt(args)
        .and_then(|_| if newline { o.write_all(b"\n") } else { Ok(()) });
    if let Err(e) = r {
        fail(e)
    }
}

/// Runs a command, catching the unwind of a failed standard output: `Err(Closed::Pipe)` when
/// the reader closed the pipe (a normal end), `Err(Closed::Failed(e))` for another error.
/// Other panics go on unwinding.
pub fn guard<T>(command: impl FnOnce() -> T) -> Result<T, Closed> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(command)).map_err(|payload| match payload
        .downcast::<Closed>(
    ) {
        Ok(c) => *c,
        Err(other) => std::panic::resume_unwind(other),
    })
}

/// `print!` for commands: to standard output, where a closed pipe ends the command cleanly.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdout::print(format_args!($($arg)*), false)
    };
}

/// `println!` for commands: to standard output, where a closed pipe ends the command cleanly.
macro_rules! outln {
    () => {
        $crate::stdout::print(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::stdout::print(format_args!($($arg)*), true)
    };
}
