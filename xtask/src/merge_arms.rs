//! One match arm for the statuses an operation answers alike.
//!
//! progenitor writes one arm per documented status, and every operation of
//! the spec documents nine error statuses with the same body, so each
//! `send()` had nine identical arms, each awaiting the body: nine await
//! points in every operation's future, which the compiler lays out and
//! borrow-checks one by one. [`apply`] merges arms whose bodies are the
//! same into one arm of or-patterns (`400u16 | 401u16 | ... => ...`): the
//! same behaviour (the patterns are distinct literals), a fraction of the
//! code to check.

use syn::visit_mut::{self, VisitMut};

/// Merges identical literal-pattern arms of every `match` in `file`.
pub fn apply(file: &mut syn::File) {
    MergeArms.visit_file_mut(file);
}

struct MergeArms;

impl VisitMut for MergeArms {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        visit_mut::visit_expr_match_mut(self, m);
        let mut merged: Vec<syn::Arm> = Vec::with_capacity(m.arms.len());
        let mut keys: Vec<Option<String>> = Vec::with_capacity(m.arms.len());
        for arm in std::mem::take(&mut m.arms) {
            let key = literal_arm(&arm).then(|| {
                let body = &arm.body;
                quote::quote!(#body).to_string()
            });
            if let Some(k) = &key
                && let Some(at) = keys.iter().position(|other| other.as_ref() == Some(k))
            {
                let first = &mut merged[at];
                let previous =
                    std::mem::replace(&mut first.pat, syn::Pat::Verbatim(Default::default()));
                let mut cases = match previous {
                    syn::Pat::Or(or) => or.cases,
                    other => std::iter::once(other).collect(),
                };
                cases.push(arm.pat);
                first.pat = syn::Pat::Or(syn::PatOr {
                    attrs: Vec::new(),
                    leading_vert: None,
                    cases,
                });
                continue;
            }
            keys.push(key);
            merged.push(arm);
        }
        m.arms = merged;
    }
}

/// An arm matching one literal, without a guard.
fn literal_arm(arm: &syn::Arm) -> bool {
    arm.guard.is_none() && matches!(arm.pat, syn::Pat::Lit(_))
}

#[cfg(test)]
mod tests {
    #[test]
    fn identical_literal_arms_become_one_and_others_stay() {
        let mut file: syn::File = syn::parse_quote! {
            fn f(s: u16) -> u8 {
                match s {
                    200u16 => 0,
                    400u16 => { a().await? }
                    401u16 => { a().await? }
                    404u16 => 1,
                    500u16 => { a().await? }
                    _ => { a().await? }
                }
            }
        };
        super::apply(&mut file);
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("400u16 | 401u16 | 500u16 => a().await?"),
            "{text}"
        );
        assert!(text.contains("404u16 => 1"), "{text}");
        assert!(text.contains("_ => a().await?"), "{text}");
        assert_eq!(text.matches("a().await?").count(), 2, "{text}");
    }
}
