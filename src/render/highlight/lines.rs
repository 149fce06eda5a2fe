//! The lines a highlighter reads: [`LineSource`], for slices, vectors and
//! arrays of lines.

/// The lines of one file version, without their line terminators (a
/// trailing `\n` is tolerated and ignored).
pub trait LineSource {
    fn len(&self) -> usize;
    fn line(&self, index: usize) -> Option<&str>;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl LineSource for [&str] {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}

impl LineSource for [String] {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).map(String::as_str)
    }
}

/// `&[&str]` itself, so a slice can be passed as `&dyn LineSource`.
impl LineSource for &[&str] {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}

impl LineSource for &[String] {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).map(String::as_str)
    }
}

impl LineSource for Vec<&str> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}

impl LineSource for Vec<String> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).map(String::as_str)
    }
}

impl<const N: usize> LineSource for [&str; N] {
    fn len(&self) -> usize {
        N
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}
