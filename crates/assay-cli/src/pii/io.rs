//! Line-chunked UTF-8 input with exact error positions, and all-or-nothing output.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use assay_data::atomic::AtomicFile;

/// Lines per parallel chunk.
pub const CHUNK_LINES: usize = 4096;

/// One input line (without its line terminator) and where it starts.
pub struct Line {
    pub text: String,
    /// 1-based line number.
    pub number: usize,
    /// Byte and character offsets of the line's start in the whole input.
    pub byte_offset: usize,
    pub char_offset: usize,
    /// The terminator that followed it (`"\n"`, `"\r\n"` or nothing at the end).
    pub terminator: &'static str,
}

/// Reads a file (or stdin for `-`) in chunks of lines, checking that it is text.
pub struct LineReader {
    name: String,
    reader: Box<dyn BufRead>,
    number: usize,
    byte_offset: usize,
    char_offset: usize,
}

pub fn display_name(p: &Path) -> String {
    if p.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        p.display().to_string()
    }
}

impl LineReader {
    pub fn open(p: &Path) -> Result<Self, String> {
        let reader: Box<dyn BufRead> = if p.as_os_str() == "-" {
            Box::new(BufReader::with_capacity(1 << 20, io::stdin()))
        } else {
            Box::new(BufReader::with_capacity(
                1 << 20,
                File::open(p).map_err(|e| format!("{}: {e}", p.display()))?,
            ))
        };
        Ok(LineReader {
            name: display_name(p),
            reader,
            number: 0,
            byte_offset: 0,
            char_offset: 0,
        })
    }

    /// The next chunk of at most [`CHUNK_LINES`] lines; empty at the end.
    pub fn next_chunk(&mut self) -> Result<Vec<Line>, String> {
        let mut out = Vec::with_capacity(CHUNK_LINES);
        let mut buf = Vec::new();
        while out.len() < CHUNK_LINES {
            buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| format!("{}: {e}", self.name))?;
            if n == 0 {
                break;
            }
            self.number += 1;
            if let Some(i) = buf.iter().position(|&b| b == 0) {
                return Err(format!(
                    "{}: binary input (a NUL byte at byte offset {}, line {}); assay pii reads UTF-8 text",
                    self.name,
                    self.byte_offset + i,
                    self.number
                ));
            }
            let mut body = &buf[..];
            let mut terminator = "";
            if body.ends_with(b"\n") {
                body = &body[..body.len() - 1];
                terminator = "\n";
                if body.ends_with(b"\r") {
                    body = &body[..body.len() - 1];
                    terminator = "\r\n";
                }
            }
            let text = match std::str::from_utf8(body) {
                Ok(s) => s.to_string(),
                Err(e) => {
                    return Err(format!(
                        "{}: not UTF-8 text (invalid byte at byte offset {}, line {})",
                        self.name,
                        self.byte_offset + e.valid_up_to(),
                        self.number
                    ))
                }
            };
            let chars = text.chars().count() + terminator.len();
            out.push(Line {
                text,
                number: self.number,
                byte_offset: self.byte_offset,
                char_offset: self.char_offset,
                terminator,
            });
            self.byte_offset += n;
            self.char_offset += chars;
        }
        Ok(out)
    }
}

/// Reads a whole input (file or stdin) as UTF-8, with the same errors as [`LineReader`].
pub fn read_text(p: &Path) -> Result<String, String> {
    let mut r = LineReader::open(p)?;
    let mut s = String::new();
    loop {
        let chunk = r.next_chunk()?;
        if chunk.is_empty() {
            return Ok(s);
        }
        for l in chunk {
            s.push_str(&l.text);
            s.push_str(l.terminator);
        }
    }
}

/// An output that appears only when complete: `assay_data::atomic` (a temporary file beside
/// the output, renamed over it by [`AtomicOut::commit`] with the output's permissions kept;
/// dropped without commit, it is removed; leftovers of killed runs are cleaned first).
/// For `-` the bytes are buffered and written to stdout at commit.
pub struct AtomicOut {
    file: Option<AtomicFile>,
    buffer: Vec<u8>,
}

impl AtomicOut {
    pub fn create(out: &Path) -> Result<Self, String> {
        let file = if out.as_os_str() == "-" {
            None
        } else {
            Some(AtomicFile::create(out).map_err(|e| format!("--out {e}"))?)
        };
        Ok(AtomicOut {
            file,
            buffer: Vec::new(),
        })
    }

    /// Moves the complete output into place.
    pub fn commit(mut self) -> Result<(), String> {
        match self.file.take() {
            Some(f) => f.commit().map_err(|e| format!("--out {e}")),
            None => {
                let mut so = crate::stdout::lock();
                so.write_all(&self.buffer)
                    .and_then(|_| so.flush())
                    .map_err(|e| format!("stdout: {e}"))
            }
        }
    }
}

impl Write for AtomicOut {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(b),
            None => self.buffer.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Reads all of a reader (for the CSV column mode).
pub fn open_bytes(p: &Path) -> Result<Box<dyn Read>, String> {
    if p.as_os_str() == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        Ok(Box::new(
            File::open(p).map_err(|e| format!("{}: {e}", p.display()))?,
        ))
    }
}
