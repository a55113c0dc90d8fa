//! A one-line progress display on standard error: articles done, articles/s and ETA. Shown only
//! when standard error is a terminal; silent when piped or redirected.

use std::io::Write;
use std::time::{Duration, Instant};

use standpoint::score::Progress;

pub struct Bar {
    started: Instant,
    last: Option<Instant>,
    total: Option<u64>,
    done: u64,
    failed: u64,
}

pub fn stderr_is_terminal() -> bool {
    // SAFETY: isatty only reads the descriptor's state.
    unsafe { libc::isatty(2) == 1 }
}

impl Bar {
    pub fn new(total: Option<u64>) -> Self {
        Bar { started: Instant::now(), last: None, total, done: 0, failed: 0 }
    }

    fn draw(&self) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = self.done as f64 / secs;
        let mut line = format!("standpoint: {} articles", self.done);
        if let Some(total) = self.total {
            let pct = 100.0 * self.done as f64 / total.max(1) as f64;
            line = format!("standpoint: {}/{} articles ({pct:.0}%)", self.done, total);
        }
        line.push_str(&format!(" · {rate:.1} articles/s"));
        if let Some(total) = self.total {
            if rate > 0.0 && self.done < total {
                let eta = Duration::from_secs_f64((total - self.done) as f64 / rate).as_secs();
                line.push_str(&format!(" · ETA {}:{:02}:{:02}", eta / 3600, eta / 60 % 60, eta % 60));
            }
        }
        if self.failed > 0 {
            line.push_str(&format!(" · {} failed", self.failed));
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }
}

impl Progress for Bar {
    fn advance(&mut self, done: u64, failed: u64) {
        self.done = done;
        self.failed = failed;
        if self.last.is_none_or(|t| t.elapsed() >= Duration::from_millis(200)) {
            self.last = Some(Instant::now());
            self.draw();
        }
    }

    fn finish(&mut self) {
        self.draw();
        eprintln!();
    }
}
