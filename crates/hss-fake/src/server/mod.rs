//! The HTTP server: configuring and starting it (`builder`), the handle
//! tests hold (`running`), what every request shares (`shared`),
//! connections (`connection`), answering one request (`handler`), the
//! operations behind it (`operations`) and the bodies of the answers
//! (`respond`).

mod builder;
mod connection;
mod handler;
mod operations;
mod respond;
mod running;
mod shared;

pub use builder::{FakeError, FakeHss, FakeHssBuilder};
pub use running::RunningFake;
