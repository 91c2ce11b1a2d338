"""The Robustness view: seeded variants of the test set, which labels give way."""
