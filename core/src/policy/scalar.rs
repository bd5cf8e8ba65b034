//! Parsing of the scalar formats conditions understand: RFC 3339 times and
//! IP addresses with CIDR ranges. Hand-written and linear, with no regular
//! expressions.

use core::net::IpAddr;
use core::str::FromStr;

/// An IP address range: a network address and a prefix length.
///
/// Invariant: the bits of `network` after `prefix` are zero, and `prefix`
/// is at most 32 for IPv4 and 128 for IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/8` or `2001:db8::/32`. A bare address is a range of
    /// one address. Host bits after the prefix must be zero, so that
    /// `10.0.0.1/8` is rejected instead of being read as `10.0.0.0/8`.
    pub(crate) fn parse(text: &str) -> Result<Self, &'static str> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network = IpAddr::from_str(address).map_err(|_| "invalid IP address")?;
        let max = max_prefix(network);
        let prefix = match prefix {
            None => max,
            Some(digits) if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) => {
                return Err("prefix length is not a decimal number")
            }
            Some(digits) => digits
                .parse::<u8>()
                .map_err(|_| "prefix length is too long")?,
        };
        if prefix > max {
            return Err("prefix length is longer than the address");
        }
        if bits(network) & !mask(prefix, max) != 0 {
            return Err("address has bits set after the prefix; use the network address");
        }
        // [`parse_ip`] reads an IPv4-mapped address as IPv4, so a range
        // written in that form (`::ffff:10.0.0.0/104`) is read as the IPv4
        // range it maps (`10.0.0.0/8`). Read as IPv6, it would match no
        // address at all. The host-bit check above leaves only prefixes of
        // 96 and more for such a network.
        if let IpAddr::V6(v6) = network {
            if let (Some(v4), Some(v4_prefix)) = (v6.to_ipv4_mapped(), prefix.checked_sub(96)) {
                return Ok(Self {
                    network: IpAddr::V4(v4),
                    prefix: v4_prefix,
                });
            }
        }
        Ok(Self { network, prefix })
    }

    /// Returns whether `address` is in the range. An IPv4 address is never
    /// in an IPv6 range or the reverse; [`parse_ip`] reads IPv4-mapped IPv6
    /// addresses as IPv4 first, and [`Cidr::parse`] does the same for
    /// ranges.
    pub(crate) fn contains(&self, address: IpAddr) -> bool {
        let max = max_prefix(self.network);
        if max != max_prefix(address) {
            return false;
        }
        bits(address) & mask(self.prefix, max) == bits(self.network)
    }
}

fn max_prefix(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// The address as a 128-bit number, with IPv4 in the low 32 bits.
fn bits(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The mask of the first `prefix` bits of a `max`-bit address.
fn mask(prefix: u8, max: u8) -> u128 {
    let all: u128 = if max == 128 {
        u128::MAX
    } else {
        (1 << max) - 1
    };
    let host_bits = u32::from(max - prefix.min(max));
    all & !(u128::MAX.checked_shr(128 - host_bits).unwrap_or(0))
}

/// Parses an IPv4 or IPv6 address as written, with no surrounding space.
pub(crate) fn parse_ip(text: &str) -> Option<IpAddr> {
    // Dual-stack servers report IPv4 clients as IPv4-mapped IPv6 addresses
    // (`::ffff:203.0.113.9`). Read as IPv6, they would escape every IPv4
    // range, so they are read as the IPv4 address they map.
    match IpAddr::from_str(text).ok()? {
        IpAddr::V6(v6) => Some(match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        }),
        v4 => Some(v4),
    }
}

/// Parses an RFC 3339 date-time, such as `2026-01-01T00:00:00Z` or
/// `2026-01-01T09:30:00.5+02:00`, into Unix seconds. A fraction of a second
/// is dropped. `T` and `Z` must be uppercase, and a leap second (`:60`) is
/// rejected.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 {
        return None;
    }
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators
        .iter()
        .any(|&(at, byte)| bytes.get(at) != Some(&byte))
    {
        return None;
    }
    let year = digits(bytes, 0, 4)?;
    let month = digits(bytes, 5, 2)?;
    let day = digits(bytes, 8, 2)?;
    let hour = digits(bytes, 11, 2)?;
    let minute = digits(bytes, 14, 2)?;
    let second = digits(bytes, 17, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }

    // An optional fraction, then `Z` or an offset.
    let mut rest = bytes.get(19..)?;
    if rest.first() == Some(&b'.') {
        let fraction = rest
            .iter()
            .skip(1)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if fraction == 0 {
            return None;
        }
        rest = rest.get(1 + fraction..)?;
    }
    let offset = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let hours = digits(rest, 1, 2)?;
            let minutes = digits(rest, 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };

    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Returns the hour of the day (0 to 23, UTC) of Unix seconds `time`.
pub(crate) fn hour_of_day(time: i64) -> i64 {
    time.rem_euclid(86_400) / 3600
}

/// Returns the day of the week (0 for Monday to 6 for Sunday, UTC) of Unix
/// seconds `time`. 1970-01-01 was a Thursday.
pub(crate) fn day_of_week(time: i64) -> i64 {
    (time.div_euclid(86_400) + 3).rem_euclid(7)
}

fn digits(bytes: &[u8], start: usize, count: usize) -> Option<i64> {
    let slice = bytes.get(start..start.checked_add(count)?)?;
    let mut value = 0_i64;
    for byte in slice {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(byte - b'0');
    }
    Some(value)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date, from Howard
/// Hinnant's `days_from_civil` algorithm.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(parse_rfc3339("2000-02-29T12:00:00.999Z"), Some(951_825_600));
        assert_eq!(parse_rfc3339("1970-01-01T02:00:00+02:00"), Some(0));
        assert_eq!(parse_rfc3339("1969-12-31T23:00:00-01:00"), Some(0));
    }

    #[test]
    fn rfc3339_rejects_bad_forms() {
        for text in [
            "2026-01-01",
            "2026-01-01t00:00:00Z",
            "2026-01-01T00:00:00",
            "2026-02-30T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:60Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0200",
            "2026-13-01T00:00:00Z",
            "2026-01-01T00:00:00Zjunk",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }

    #[test]
    fn calendar_helpers() {
        // 2026-01-01 is a Thursday.
        assert_eq!(day_of_week(1_767_225_600), 3);
        assert_eq!(hour_of_day(1_767_225_600 + 13 * 3600 + 59), 13);
        assert_eq!(day_of_week(-1), 2);
        assert_eq!(hour_of_day(-1), 23);
    }

    #[test]
    fn cidr_v4_and_v6() {
        let net = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(parse_ip("10.255.0.1").unwrap()));
        assert!(!net.contains(parse_ip("11.0.0.1").unwrap()));
        // A dual-stack server reports IPv4 clients as IPv4-mapped IPv6.
        assert!(net.contains(parse_ip("::ffff:10.0.0.1").unwrap()));
        assert!(net.contains(parse_ip("::ffff:a00:1").unwrap()));

        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(parse_ip("2001:db8:1::1").unwrap()));
        assert!(!v6.contains(parse_ip("2001:db9::1").unwrap()));
        assert!(!v6.contains(parse_ip("10.0.0.1").unwrap()));

        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(parse_ip("255.255.255.255").unwrap()));
        let host = Cidr::parse("192.0.2.7").unwrap();
        assert!(host.contains(parse_ip("192.0.2.7").unwrap()));
        assert!(!host.contains(parse_ip("192.0.2.8").unwrap()));
        let all_v6 = Cidr::parse("::/0").unwrap();
        assert!(all_v6.contains(parse_ip("ffff::1").unwrap()));
    }

    #[test]
    fn cidr_in_mapped_form_is_the_ipv4_range() {
        let mapped = Cidr::parse("::ffff:10.0.0.0/104").unwrap();
        assert_eq!(mapped, Cidr::parse("10.0.0.0/8").unwrap());
        for inside in ["10.1.2.3", "::ffff:10.1.2.3", "::ffff:a01:203"] {
            assert!(mapped.contains(parse_ip(inside).unwrap()), "{inside}");
        }
        for outside in ["11.0.0.1", "::10.1.2.3", "2001:db8::1"] {
            assert!(!mapped.contains(parse_ip(outside).unwrap()), "{outside}");
        }
        let all = Cidr::parse("::ffff:0.0.0.0/96").unwrap();
        assert!(all.contains(parse_ip("203.0.113.9").unwrap()));
        let one = Cidr::parse("::ffff:192.0.2.7").unwrap();
        assert_eq!(one, Cidr::parse("192.0.2.7").unwrap());
        // Shorter prefixes leave the `ffff` bits as host bits.
        assert!(Cidr::parse("::ffff:0.0.0.0/95").is_err());
    }

    #[test]
    fn cidr_rejects_bad_forms() {
        for text in [
            "10.0.0.1/8",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0/8",
            "2001:db8::/129",
            "2001:db8::1/32",
            "",
            "10.0.0.0/8/8",
        ] {
            assert!(Cidr::parse(text).is_err(), "{text}");
        }
    }
}
