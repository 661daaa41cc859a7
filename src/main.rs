fn main() -> std::process::ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("duckalog: internal error: {}", duckalog::secret::scrub(&info.to_string()));
    }));
    std::process::ExitCode::from(duckalog::cli::main())
}
