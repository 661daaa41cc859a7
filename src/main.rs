fn main() -> std::process::ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // Not eprintln!, which panics again when standard error is closed.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "duckalog: internal error: {}",
            duckalog::scrub(&info.to_string())
        );
    }));
    std::process::ExitCode::from(duckalog::cli::main())
}
