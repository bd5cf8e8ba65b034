//! The sizes by which the npm module's allocator tries to grow the memory.

/// The smallest grow: 1 MiB.
pub(crate) const MIN_GROW_BYTES: usize = 1024 * 1024;

/// Returns the grow sizes to try, in order, for a request of `size` bytes
/// when the memory has `current` bytes. The first is an eighth of the
/// memory and at least [`MIN_GROW_BYTES`]. Each next one is half the one
/// before, down to `size` itself.
///
/// Near the memory's maximum, the first sizes fail. Falling back to `size`
/// at once made every later request grow the memory by a page or two, and
/// a load there ran 10 to 100 times slower. Halving keeps the number of
/// grows logarithmic up to the maximum.
pub(crate) fn grow_attempts(size: usize, current: usize) -> impl Iterator<Item = usize> {
    let first = size.max(current / 8).max(MIN_GROW_BYTES);
    let mut next = Some(first);
    core::iter::from_fn(move || {
        let attempt = next?;
        next = (attempt > size).then(|| (attempt / 2).max(size));
        Some(attempt)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1024 * 1024;

    #[test]
    fn first_attempt_is_an_eighth() {
        let attempts: Vec<usize> = grow_attempts(100, 64 * MIB).take(1).collect();
        assert_eq!(attempts, [8 * MIB]);
        assert_eq!(grow_attempts(100, 0).next(), Some(MIN_GROW_BYTES));
        assert_eq!(grow_attempts(40 * MIB, 64 * MIB).next(), Some(40 * MIB));
    }

    #[test]
    fn attempts_halve_down_to_request() {
        let attempts: Vec<usize> = grow_attempts(300 * 1024, 32 * MIB).collect();
        assert_eq!(attempts, [4 * MIB, 2 * MIB, MIB, 512 * 1024, 300 * 1024]);
    }

    #[test]
    fn request_alone_is_one_attempt() {
        let attempts: Vec<usize> = grow_attempts(64 * MIB, 8 * MIB).collect();
        assert_eq!(attempts, [64 * MIB]);
    }

    #[test]
    fn attempts_near_4_gib_are_few() {
        // At 3,900 MiB the first attempt is 487.5 MiB; a 100-byte request
        // reaches it after at most 23 halvings.
        let current = 3900 * MIB;
        let attempts: Vec<usize> = grow_attempts(100, current).collect();
        assert!(attempts.len() <= 24, "{}", attempts.len());
        assert_eq!(attempts.last(), Some(&100));
        assert!(attempts.windows(2).all(|pair| pair[1] < pair[0]));
    }
}
