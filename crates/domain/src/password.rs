//! The password rule: 8 to 128 characters, not one of the 3,000 most common, not the e-mail.
//! Length is counted in characters, not bytes, so Vietnamese passphrases count fairly.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::validate::Issue;

/// The fewest characters a password may have.
pub const MIN_CHARS: usize = 8;
/// The most characters a password may have: long passphrases fit, a megabyte does not reach
/// the hasher.
pub const MAX_CHARS: usize = 128;

const COMMON: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|line| !line.is_empty()).collect())
}

/// How many passwords the common list refuses.
pub fn common_count() -> usize {
    common().len()
}

/// Checks a new password; the error says what to change, never echoes the password.
pub fn check(password: &str, email: &str) -> Result<(), Issue> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(Issue::TooShort { min: MIN_CHARS, got: chars });
    }
    if chars > MAX_CHARS {
        return Err(Issue::TooLong { max: MAX_CHARS, got: chars });
    }
    if password.trim().is_empty() {
        return Err(Issue::OnlySpaces);
    }
    let lower = password.to_lowercase();
    if common().contains(lower.as_str()) {
        return Err(Issue::CommonPassword);
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if lower == email || (!local.is_empty() && lower == local) {
        return Err(Issue::PasswordIsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_3000_passwords_of_eight_characters_or_more() {
        assert_eq!(common_count(), 3000);
        assert!(COMMON.lines().all(|line| line.chars().count() >= MIN_CHARS));
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(check("short", "a@b.vn"), Err(Issue::TooShort { min: 8, got: 5 }));
        // Eight characters, more than eight bytes.
        assert_eq!(check("Hải Phòng", "a@b.vn"), Ok(()));
        assert_eq!(check(&"x".repeat(64).replace('x', "ả"), "a@b.vn"), Ok(()));
        assert_eq!(check(&"y".repeat(MAX_CHARS + 1), "a@b.vn"), Err(Issue::TooLong { max: 128, got: 129 }));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for password in ["password", "PASSWORD1", "iloveyou", "123456789", "qwertyuiop", "anhyeuem"] {
            assert_eq!(check(password, "a@b.vn"), Err(Issue::CommonPassword), "{password}");
        }
        assert_eq!(check("kết nối đầu tư 2023", "a@b.vn"), Ok(()));
    }

    #[test]
    fn the_email_is_not_a_password() {
        assert!(check("lan.nguyen@gmail.com", "Lan.Nguyen@gmail.com").is_err());
        assert!(check("lan.nguyen", "lan.nguyen@gmail.com").is_err());
        assert!(check("        ", "a@b.vn").is_err());
    }
}
