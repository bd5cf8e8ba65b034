//! The rule index: rules bucketed by action, then resource type, then
//! principal scope, so that a decision looks only at rules that can apply.
//!
//! A request's candidates are the rules in at most two action buckets (its
//! action and `*`), within each at most two type buckets (its resource type
//! and "any type"), and within each the rules for any principal, for its id,
//! and for each of its effective roles. The cost of a lookup therefore grows
//! with the number of candidate rules and the principal's roles, and only
//! logarithmically with the size of the policy, through the map lookups.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::roles::RoleSet;

/// Where one rule goes in the index.
#[derive(Debug, Clone)]
pub(crate) struct IndexKey {
    /// `None` for every action, else the sorted, deduplicated action names.
    pub(crate) actions: Option<Vec<String>>,
    /// `None` when the rule can match resources of more than one type.
    pub(crate) resource_type: Option<String>,
    pub(crate) principal: PrincipalKey,
}

/// The principal part of an [`IndexKey`].
#[derive(Debug, Clone)]
pub(crate) enum PrincipalKey {
    Any,
    Role(usize),
    Id(String),
}

/// The index over every rule of a policy, by position in policy order.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleIndex {
    by_action: BTreeMap<String, TypeBuckets>,
    any_action: TypeBuckets,
}

#[derive(Debug, Clone, Default)]
struct TypeBuckets {
    by_type: BTreeMap<String, PrincipalBuckets>,
    any_type: PrincipalBuckets,
}

#[derive(Debug, Clone, Default)]
struct PrincipalBuckets {
    any: Vec<usize>,
    by_id: BTreeMap<String, Vec<usize>>,
    by_role: BTreeMap<usize, Vec<usize>>,
}

impl RuleIndex {
    /// Adds the rule at `position`, which must be larger than every
    /// position added before, so that every bucket stays ascending.
    pub(crate) fn insert(&mut self, position: usize, key: &IndexKey) {
        match &key.actions {
            None => self.any_action.insert(position, key),
            Some(names) => {
                for name in names {
                    self.by_action
                        .entry(name.clone())
                        .or_default()
                        .insert(position, key);
                }
            }
        }
    }

    /// Returns the positions of every rule that can apply to a request, in
    /// ascending order, without repeats.
    pub(crate) fn candidates(
        &self,
        action: &str,
        resource_type: Option<&str>,
        principal_id: &str,
        roles: &RoleSet,
    ) -> Vec<usize> {
        let mut found = Vec::new();
        if let Some(buckets) = self.by_action.get(action) {
            buckets.collect(resource_type, principal_id, roles, &mut found);
        }
        self.any_action
            .collect(resource_type, principal_id, roles, &mut found);

        // Each rule sits in exactly one bucket per action key, and a request
        // reaches each bucket once, so only the order needs fixing.
        found.sort_unstable();
        found
    }
}

impl TypeBuckets {
    fn insert(&mut self, position: usize, key: &IndexKey) {
        let buckets = match &key.resource_type {
            Some(name) => self.by_type.entry(name.clone()).or_default(),
            None => &mut self.any_type,
        };
        buckets.insert(position, &key.principal);
    }

    fn collect(
        &self,
        resource_type: Option<&str>,
        principal_id: &str,
        roles: &RoleSet,
        found: &mut Vec<usize>,
    ) {
        if let Some(buckets) = resource_type.and_then(|name| self.by_type.get(name)) {
            buckets.collect(principal_id, roles, found);
        }
        self.any_type.collect(principal_id, roles, found);
    }
}

impl PrincipalBuckets {
    fn insert(&mut self, position: usize, key: &PrincipalKey) {
        let bucket = match key {
            PrincipalKey::Any => &mut self.any,
            PrincipalKey::Id(id) => self.by_id.entry(id.clone()).or_default(),
            PrincipalKey::Role(role) => self.by_role.entry(*role).or_default(),
        };
        bucket.push(position);
    }

    fn collect(&self, principal_id: &str, roles: &RoleSet, found: &mut Vec<usize>) {
        found.extend_from_slice(&self.any);
        if let Some(bucket) = self.by_id.get(principal_id) {
            found.extend_from_slice(bucket);
        }
        if self.by_role.is_empty() {
            return;
        }

        // Walk whichever side is smaller: the principal's roles or the roles
        // that have rules here.
        if roles.count() <= self.by_role.len() {
            for role in roles.indices() {
                if let Some(bucket) = self.by_role.get(&role) {
                    found.extend_from_slice(bucket);
                }
            }
        } else {
            for (role, bucket) in &self.by_role {
                if roles.contains(*role) {
                    found.extend_from_slice(bucket);
                }
            }
        }
    }
}
