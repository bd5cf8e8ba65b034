//! The role hierarchy: validated at load and flattened into closures, so
//! that evaluation never walks the graph.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::document::RoleDefinition;
use super::error::{PolicyError, Referrer};
use super::limits::{LimitKind, PolicyLimits};

/// Declared roles with their inheritance closures.
///
/// Invariant: `names` is sorted and unique, and `closures` has one entry per
/// name, at the same index. The closure of a role contains the role itself
/// and every role it inherits, directly or transitively.
#[derive(Debug, Clone, Default)]
pub(crate) struct RoleGraph {
    names: Vec<String>,
    closures: Vec<RoleSet>,
}

/// A set of declared roles, one bit per role index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RoleSet {
    words: Vec<u64>,
}

/// Depth-first search state of one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    /// On the current search path, so reaching it again closes a cycle.
    OnPath,
    Done,
}

impl RoleGraph {
    /// Validates the declared roles and computes every closure.
    ///
    /// Checks run in this order: role count, empty names, undeclared
    /// inherited roles, then cycles and inheritance depth together.
    pub(crate) fn build(
        roles: &BTreeMap<String, RoleDefinition>,
        limits: &PolicyLimits,
    ) -> Result<Self, PolicyError> {
        if roles.len() > limits.max_roles {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::Roles,
                max: limits.max_roles,
                subject: None,
            });
        }

        // A BTreeMap iterates in key order, so `names` comes out sorted.
        let names: Vec<String> = roles.keys().cloned().collect();
        if names.first().is_some_and(String::is_empty) {
            return Err(PolicyError::InvalidRole {
                role: String::new(),
                reason: "role name is empty; give the role a name",
            });
        }

        let mut graph = Self {
            names,
            closures: Vec::new(),
        };
        let parents = graph.resolve_parents(roles)?;
        graph.closures = graph.compute_closures(&parents, limits.max_inheritance_depth)?;
        Ok(graph)
    }

    /// Returns the index of the declared role `name`.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names
            .binary_search_by(|probe| probe.as_str().cmp(name))
            .ok()
    }

    /// Returns the union of the closures of `roles`. Undeclared names add
    /// nothing, because no rule can name them.
    pub(crate) fn effective_set(&self, roles: &[String]) -> RoleSet {
        let mut set = RoleSet::default();
        for role in roles {
            let closure = self
                .index_of(role)
                .and_then(|index| self.closures.get(index));
            if let Some(closure) = closure {
                set.union_with(closure);
            }
        }
        set
    }

    /// Returns the union of the closures of `roles` and of `assigned`, the
    /// roles the policy document assigns to the principal.
    pub(crate) fn effective_set_with(&self, roles: &[String], assigned: &[usize]) -> RoleSet {
        let mut set = self.effective_set(roles);
        for &index in assigned {
            if let Some(closure) = self.closures.get(index) {
                set.union_with(closure);
            }
        }
        set
    }

    /// Returns whether role `role` has role `ancestor`, itself or by
    /// inheritance.
    pub(crate) fn inherits(&self, role: usize, ancestor: usize) -> bool {
        self.closures
            .get(role)
            .is_some_and(|closure| closure.contains(ancestor))
    }

    /// Returns the number of declared roles.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Returns the name of the role at `index`.
    pub(crate) fn name(&self, index: usize) -> Option<&str> {
        self.names.get(index).map(String::as_str)
    }

    /// Returns the names of the roles in `set`, in sorted order.
    pub(crate) fn names_in<'a>(&'a self, set: &'a RoleSet) -> impl Iterator<Item = &'a str> {
        self.names
            .iter()
            .enumerate()
            .filter(|(index, _)| set.contains(*index))
            .map(|(_, name)| name.as_str())
    }

    /// Maps each role's `inherits` names to indices, sorted and deduplicated.
    fn resolve_parents(
        &self,
        roles: &BTreeMap<String, RoleDefinition>,
    ) -> Result<Vec<Vec<usize>>, PolicyError> {
        let mut parents = Vec::with_capacity(roles.len());
        for (name, definition) in roles {
            let mut indices = Vec::with_capacity(definition.inherits.len());
            for inherited in &definition.inherits {
                let Some(index) = self.index_of(inherited) else {
                    return Err(PolicyError::UnknownRole {
                        role: inherited.clone(),
                        referenced_by: Referrer::Role(name.clone()),
                    });
                };
                indices.push(index);
            }
            indices.sort_unstable();
            indices.dedup();
            parents.push(indices);
        }
        Ok(parents)
    }

    /// Computes every closure in one iterative depth-first search, which
    /// also finds cycles and measures depth. Iterative, because a chain of
    /// `max_roles` roles would overflow the stack of a recursive search
    /// before the depth limit is checked.
    fn compute_closures(
        &self,
        parents: &[Vec<usize>],
        max_depth: usize,
    ) -> Result<Vec<RoleSet>, PolicyError> {
        let count = self.names.len();
        let mut visits = vec![Visit::New; count];
        let mut depths = vec![0_usize; count];
        let mut closures = vec![RoleSet::default(); count];

        for root in 0..count {
            if visits.get(root) != Some(&Visit::New) {
                continue;
            }
            set_at(&mut visits, root, Visit::OnPath);

            // Each entry is a role on the current path and the position of
            // the next parent of it to visit.
            let mut path: Vec<(usize, usize)> = vec![(root, 0)];
            while let Some(&(role, next)) = path.last() {
                let role_parents = parents.get(role).map_or(&[][..], Vec::as_slice);

                // Step down to the next parent, if one is left.
                if let Some(&parent) = role_parents.get(next) {
                    if let Some(top) = path.last_mut() {
                        top.1 = next.saturating_add(1);
                    }
                    match visits.get(parent) {
                        Some(Visit::New) => {
                            set_at(&mut visits, parent, Visit::OnPath);
                            path.push((parent, 0));
                        }
                        Some(Visit::OnPath) => return Err(self.cycle_error(&path, parent)),
                        _ => {}
                    }
                    continue;
                }

                // Every parent is done, so this role's depth and closure
                // can be computed from theirs.
                let mut depth = 0;
                let mut closure = RoleSet::default();
                closure.insert(role);
                for &parent in role_parents {
                    let parent_depth = depths.get(parent).copied().unwrap_or(0);
                    depth = depth.max(parent_depth.saturating_add(1));
                    if let Some(parent_closure) = closures.get(parent) {
                        closure.union_with(parent_closure);
                    }
                }
                if depth > max_depth {
                    return Err(PolicyError::LimitExceeded {
                        limit: LimitKind::InheritanceDepth,
                        max: max_depth,
                        subject: Some(self.name_at(role)),
                    });
                }
                set_at(&mut depths, role, depth);
                set_at(&mut closures, role, closure);
                set_at(&mut visits, role, Visit::Done);
                path.pop();
            }
        }
        Ok(closures)
    }

    /// Builds the error for a cycle that closes at `parent`, which is on `path`.
    fn cycle_error(&self, path: &[(usize, usize)], parent: usize) -> PolicyError {
        let start = path
            .iter()
            .position(|&(role, _)| role == parent)
            .unwrap_or(0);
        let mut cycle: Vec<String> = path
            .iter()
            .skip(start)
            .map(|&(role, _)| self.name_at(role))
            .collect();
        cycle.push(self.name_at(parent));
        PolicyError::RoleCycle { path: cycle }
    }

    fn name_at(&self, index: usize) -> String {
        self.names.get(index).cloned().unwrap_or_default()
    }
}

/// Writes `value` at `index`, ignoring an index out of range. Every caller
/// passes a role index below the length of the vector.
fn set_at<T>(items: &mut [T], index: usize, value: T) {
    if let Some(slot) = items.get_mut(index) {
        *slot = value;
    }
}

impl RoleSet {
    const BITS: usize = u64::BITS as usize;

    pub(crate) fn contains(&self, index: usize) -> bool {
        let mask = 1_u64 << (index % Self::BITS);
        self.words
            .get(index / Self::BITS)
            .is_some_and(|word| word & mask != 0)
    }

    /// Returns the indices in the set, ascending.
    pub(crate) fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(word_index, &word)| {
                let base = word_index * Self::BITS;
                (0..Self::BITS)
                    .filter(move |bit| word & (1_u64 << bit) != 0)
                    .map(move |bit| base + bit)
            })
    }

    /// Returns the number of roles in the set.
    pub(crate) fn count(&self) -> usize {
        self.words
            .iter()
            .map(|word| word.count_ones() as usize)
            .sum()
    }

    fn insert(&mut self, index: usize) {
        let word = index / Self::BITS;
        if self.words.len() <= word {
            self.words.resize(word.saturating_add(1), 0);
        }
        if let Some(slot) = self.words.get_mut(word) {
            *slot |= 1_u64 << (index % Self::BITS);
        }
    }

    fn union_with(&mut self, other: &RoleSet) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (word, other_word) in self.words.iter_mut().zip(&other.words) {
            *word |= other_word;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    fn roles(edges: &[(&str, &[&str])]) -> BTreeMap<String, RoleDefinition> {
        edges
            .iter()
            .map(|(name, inherits)| {
                let definition = RoleDefinition {
                    inherits: inherits.iter().map(|s| s.to_string()).collect(),
                    description: None,
                };
                (name.to_string(), definition)
            })
            .collect()
    }

    fn build(edges: &[(&str, &[&str])]) -> Result<RoleGraph, PolicyError> {
        RoleGraph::build(&roles(edges), &PolicyLimits::default())
    }

    fn closure(graph: &RoleGraph, role: &str) -> Vec<String> {
        let set = graph.effective_set(&[role.to_string()]);
        graph.names_in(&set).map(ToString::to_string).collect()
    }

    /// Builds roles `r0000` to `r{steps}`, each inheriting the next, so the
    /// chain has `steps` inheritance steps.
    fn chain(steps: usize) -> BTreeMap<String, RoleDefinition> {
        (0..=steps)
            .map(|i| {
                let inherits = if i < steps {
                    vec![format!("r{:04}", i + 1)]
                } else {
                    Vec::new()
                };
                let definition = RoleDefinition {
                    inherits,
                    description: None,
                };
                (format!("r{i:04}"), definition)
            })
            .collect()
    }

    #[test]
    fn closure_includes_self_and_ancestors() {
        let graph = build(&[
            ("admin", &["editor"]),
            ("editor", &["viewer"]),
            ("viewer", &[]),
        ])
        .unwrap();
        assert_eq!(closure(&graph, "admin"), ["admin", "editor", "viewer"]);
        assert_eq!(closure(&graph, "editor"), ["editor", "viewer"]);
        assert_eq!(closure(&graph, "viewer"), ["viewer"]);
    }

    #[test]
    fn diamond_inheritance() {
        let graph = build(&[
            ("top", &["left", "right"]),
            ("left", &["base"]),
            ("right", &["base"]),
            ("base", &[]),
        ])
        .unwrap();
        assert_eq!(closure(&graph, "top"), ["base", "left", "right", "top"]);
        assert_eq!(closure(&graph, "left"), ["base", "left"]);
        assert!(!closure(&graph, "left").contains(&"right".to_string()));
    }

    #[test]
    fn duplicate_inherits_entries_are_merged() {
        let graph = build(&[("a", &["b", "b"]), ("b", &[])]).unwrap();
        assert_eq!(closure(&graph, "a"), ["a", "b"]);
    }

    #[test]
    fn undeclared_role_has_empty_closure() {
        let graph = build(&[("a", &[])]).unwrap();
        assert!(closure(&graph, "ghost").is_empty());
    }

    #[test]
    fn union_of_several_roles() {
        let graph = build(&[("a", &["b"]), ("b", &[]), ("c", &[]), ("d", &[])]).unwrap();
        let set = graph.effective_set(&["a".to_string(), "c".to_string(), "x".to_string()]);
        let names: Vec<&str> = graph.names_in(&set).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn self_inheritance_is_cycle() {
        let error = build(&[("a", &["a"])]).unwrap_err();
        assert_eq!(
            error,
            PolicyError::RoleCycle {
                path: vec!["a".into(), "a".into()]
            }
        );
    }

    #[test]
    fn two_role_cycle_names_path() {
        let error = build(&[("a", &["b"]), ("b", &["a"])]).unwrap_err();
        assert_eq!(
            error,
            PolicyError::RoleCycle {
                path: vec!["a".into(), "b".into(), "a".into()]
            }
        );
    }

    #[test]
    fn cycle_path_excludes_lead_in() {
        let error =
            build(&[("a", &["b"]), ("b", &["c"]), ("c", &["d"]), ("d", &["b"])]).unwrap_err();
        assert_eq!(
            error,
            PolicyError::RoleCycle {
                path: vec!["b".into(), "c".into(), "d".into(), "b".into()]
            }
        );
    }

    #[test]
    fn cycle_behind_finished_roles_found() {
        // `a` and `b` finish first, and the cycle is only reached from `c`.
        let error =
            build(&[("a", &["b"]), ("b", &[]), ("c", &["d"]), ("d", &["c", "a"])]).unwrap_err();
        assert_eq!(
            error,
            PolicyError::RoleCycle {
                path: vec!["c".into(), "d".into(), "c".into()]
            }
        );
    }

    #[test]
    fn unknown_inherited_role_names_both() {
        let error = build(&[("admin", &["ghost"])]).unwrap_err();
        assert_eq!(
            error,
            PolicyError::UnknownRole {
                role: "ghost".into(),
                referenced_by: Referrer::Role("admin".into()),
            }
        );
    }

    #[test]
    fn empty_role_name_rejected() {
        let error = build(&[("", &[])]).unwrap_err();
        assert_eq!(error.code(), "invalid_role");
    }

    #[test]
    fn chain_at_depth_limit_loads() {
        let graph = RoleGraph::build(&chain(64), &PolicyLimits::default()).unwrap();
        assert_eq!(closure(&graph, "r0000").len(), 65);
        assert_eq!(closure(&graph, "r0064"), ["r0064"]);
    }

    #[test]
    fn chain_over_depth_limit_rejected() {
        let error = RoleGraph::build(&chain(65), &PolicyLimits::default()).unwrap_err();
        assert_eq!(
            error,
            PolicyError::LimitExceeded {
                limit: LimitKind::InheritanceDepth,
                max: 64,
                subject: Some("r0000".into()),
            }
        );
    }

    #[test]
    fn depth_counts_longest_path() {
        // `a` reaches `d` in one step directly and in three steps through
        // `b` and `c`, so its depth is 3.
        let edges = roles(&[("a", &["d", "b"]), ("b", &["c"]), ("c", &["d"]), ("d", &[])]);
        let at_limit = PolicyLimits {
            max_inheritance_depth: 3,
            ..PolicyLimits::default()
        };
        assert!(RoleGraph::build(&edges, &at_limit).is_ok());
        let below = PolicyLimits {
            max_inheritance_depth: 2,
            ..PolicyLimits::default()
        };
        let error = RoleGraph::build(&edges, &below).unwrap_err();
        assert_eq!(error.code(), "limit_exceeded");
    }

    #[test]
    fn long_chain_does_not_overflow_stack() {
        let limits = PolicyLimits {
            max_inheritance_depth: 10_000,
            ..PolicyLimits::default()
        };
        let graph = RoleGraph::build(&chain(9_999), &limits).unwrap();
        assert_eq!(closure(&graph, "r0000").len(), 10_000);
    }

    #[test]
    fn role_count_limit() {
        let limits = PolicyLimits {
            max_roles: 2,
            ..PolicyLimits::default()
        };
        let edges = roles(&[("a", &[]), ("b", &[])]);
        assert!(RoleGraph::build(&edges, &limits).is_ok());
        let edges = roles(&[("a", &[]), ("b", &[]), ("c", &[])]);
        let error = RoleGraph::build(&edges, &limits).unwrap_err();
        assert_eq!(
            error,
            PolicyError::LimitExceeded {
                limit: LimitKind::Roles,
                max: 2,
                subject: None
            }
        );
    }

    #[test]
    fn role_set_spans_words() {
        let mut set = RoleSet::default();
        set.insert(0);
        set.insert(64);
        set.insert(200);
        assert!(set.contains(0));
        assert!(set.contains(64));
        assert!(set.contains(200));
        assert!(!set.contains(1));
        assert!(!set.contains(63));
        assert!(!set.contains(10_000));
    }
}
