pub mod diagnostic;
pub mod shape;
pub mod yaml;
