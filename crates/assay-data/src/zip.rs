//! Joining two batch streams row by row, for predictions kept in a file of
//! their own beside the data. Batches are re-sliced (zero-copy) so that the
//! two streams may use different batch boundaries; a row-count mismatch is an
//! error naming both files and their counts.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};

use crate::error::{DataError, Result};
use crate::source::BatchStream;

/// Joins the columns of two streams of equal length, row by row.
pub struct ZipStreams {
    left: BatchStream,
    right: BatchStream,
    lbuf: Option<RecordBatch>,
    rbuf: Option<RecordBatch>,
    lrows: u64,
    rrows: u64,
    schema: SchemaRef,
    done: bool,
}

impl ZipStreams {
    /// Pairs `left` and `right`; column names must not repeat across the two.
    pub fn new(left: BatchStream, right: BatchStream) -> Result<Self> {
        let mut fields: Vec<_> = left.schema().fields().iter().cloned().collect();
        for f in right.schema().fields() {
            if fields.iter().any(|g| g.name() == f.name()) {
                return Err(DataError::Config(format!(
                    "column '{}' is in both {} and {}; rename one",
                    f.name(),
                    left.path().display(),
                    right.path().display()
                )));
            }
            fields.push(f.clone());
        }
        Ok(ZipStreams {
            left,
            right,
            lbuf: None,
            rbuf: None,
            lrows: 0,
            rrows: 0,
            schema: Arc::new(Schema::new(fields)),
            done: false,
        })
    }

    /// Converts into a [`BatchStream`] labelled with the left file's path.
    pub fn into_stream(self) -> BatchStream {
        let path = self.left.path().to_path_buf();
        let schema = self.schema.clone();
        BatchStream::new(path, schema, Box::new(self))
    }

    fn fill(stream: &mut BatchStream, buf: &mut Option<RecordBatch>, rows: &mut u64) -> Result<()> {
        while buf.as_ref().is_none_or(|b| b.num_rows() == 0) {
            match stream.next() {
                None => {
                    *buf = None;
                    return Ok(());
                }
                Some(b) => {
                    let b = b?;
                    *rows += b.num_rows() as u64;
                    *buf = Some(b);
                }
            }
        }
        Ok(())
    }

    fn step(&mut self) -> Result<Option<RecordBatch>> {
        Self::fill(&mut self.left, &mut self.lbuf, &mut self.lrows)?;
        Self::fill(&mut self.right, &mut self.rbuf, &mut self.rrows)?;
        match (self.lbuf.take(), self.rbuf.take()) {
            (None, None) => Ok(None),
            (Some(l), Some(r)) => {
                let n = l.num_rows().min(r.num_rows());
                let mut cols = l.slice(0, n).columns().to_vec();
                cols.extend(r.slice(0, n).columns().iter().cloned());
                self.lbuf = Some(l.slice(n, l.num_rows() - n));
                self.rbuf = Some(r.slice(n, r.num_rows() - n));
                RecordBatch::try_new(self.schema.clone(), cols)
                    .map(Some)
                    .map_err(|e| DataError::Config(e.to_string()))
            }
            _ => {
                // Count what is left on the longer side before reporting.
                let (mut lrows, mut rrows) = (self.lrows, self.rrows);
                for b in self.left.by_ref() {
                    lrows += b?.num_rows() as u64;
                }
                for b in self.right.by_ref() {
                    rrows += b?.num_rows() as u64;
                }
                Err(DataError::RowCountMismatch {
                    left: self.left.path().to_path_buf(),
                    left_rows: lrows,
                    right: self.right.path().to_path_buf(),
                    right_rows: rrows,
                })
            }
        }
    }
}

impl Iterator for ZipStreams {
    type Item = Result<RecordBatch>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
