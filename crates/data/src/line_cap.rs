//! A bound on line length for every text a user or a feed hands us: a file of one endless line
//! (`/dev/zero`, a 3 GB line) must end in an error naming the line, not in exhausted memory.

use std::io::Read;

/// The longest line Gauntlet reads, bytes (1 MiB: a bar is well under a kilobyte).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// A reader that fails with [`std::io::ErrorKind::InvalidData`] ("line N is longer than ...")
/// as soon as a line exceeds `limit` bytes before its newline; otherwise it passes bytes through.
#[derive(Debug)]
pub struct LineCap<R> {
    inner: R,
    limit: usize,
    since_newline: usize,
    line: u64,
}

impl<R> LineCap<R> {
    /// `inner` with lines of at most `limit` bytes.
    pub fn new(inner: R, limit: usize) -> Self {
        Self {
            inner,
            limit,
            since_newline: 0,
            line: 1,
        }
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        for &byte in &buffer[..read] {
            if byte == b'\n' {
                self.line += 1;
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
                if self.since_newline > self.limit {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "line {} is longer than {} bytes (is this a text file of bars?)",
                            self.line, self.limit
                        ),
                    ));
                }
            }
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_an_error_naming_it_and_short_lines_pass() {
        let text = b"a,b\n1,2\n".to_vec();
        let mut passed = String::new();
        LineCap::new(text.as_slice(), 3)
            .read_to_string(&mut passed)
            .unwrap();
        assert_eq!(passed, "a,b\n1,2\n");
        let mut long = b"ok\n".to_vec();
        long.extend(std::iter::repeat_n(b'x', 10));
        let error = LineCap::new(long.as_slice(), 5)
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert!(
            error
                .to_string()
                .starts_with("line 2 is longer than 5 bytes"),
            "{error}"
        );
    }
}
