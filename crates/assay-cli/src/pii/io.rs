//! Line-chunked UTF-8 input with exact error positions, and all-or-nothing output.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

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

/// An output that appears only when complete: a temporary file in the output's directory,
/// renamed over the output by [`AtomicOut::commit`]; dropped without commit, it is removed.
/// For `-` the bytes are buffered and written to stdout at commit.
pub struct AtomicOut {
    target: Option<PathBuf>,
    tmp: Option<PathBuf>,
    file: Option<io::BufWriter<File>>,
    buffer: Vec<u8>,
}

impl AtomicOut {
    pub fn create(out: &Path) -> Result<Self, String> {
        if out.as_os_str() == "-" {
            return Ok(AtomicOut {
                target: None,
                tmp: None,
                file: None,
                buffer: Vec::new(),
            });
        }
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .ok_or_else(|| format!("--out {}: not a file name", out.display()))?
            .to_string_lossy()
            .to_string();
        for attempt in 0..100u32 {
            let tmp = dir.join(format!(
                ".{name}.assay-tmp-{}-{attempt}",
                std::process::id()
            ));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => {
                    return Ok(AtomicOut {
                        target: Some(out.to_path_buf()),
                        tmp: Some(tmp),
                        file: Some(io::BufWriter::new(f)),
                        buffer: Vec::new(),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(format!(
                        "--out {}: cannot create a temporary file in {}: {e}",
                        out.display(),
                        dir.display()
                    ))
                }
            }
        }
        Err(format!(
            "--out {}: cannot create a temporary file",
            out.display()
        ))
    }

    /// Moves the complete output into place.
    pub fn commit(mut self) -> Result<(), String> {
        match (self.file.take(), self.tmp.take(), self.target.take()) {
            (Some(f), Some(tmp), Some(target)) => {
                let res = f
                    .into_inner()
                    .map_err(|e| e.to_string())
                    .and_then(|f| f.sync_all().map_err(|e| e.to_string()));
                if let Err(e) =
                    res.and_then(|_| std::fs::rename(&tmp, &target).map_err(|e| e.to_string()))
                {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(format!("--out {}: {e}", target.display()));
                }
                Ok(())
            }
            _ => {
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

impl Drop for AtomicOut {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            self.file.take();
            let _ = std::fs::remove_file(tmp);
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
