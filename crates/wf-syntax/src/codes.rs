//! The registry of syntax and structure diagnostic codes (`WF1xx`): one title line and one
//! doc paragraph each. `wf explain CODE` and the language server read this table.

/// One entry of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable code, e.g. `WF120`.
    pub code: &'static str,
    /// A short kebab-case name, e.g. `unknown-key`.
    pub name: &'static str,
    /// One line: what the code means.
    pub title: &'static str,
    /// One paragraph: why it matters and how to fix it.
    pub doc: &'static str,
}

/// Defines diagnostic code constants and their registry slice:
/// `define_codes! { LIST; CONST = "WF123", "kebab-name", "title", "doc"; ... }`.
#[macro_export]
macro_rules! define_codes {
    ($list:ident; $( $konst:ident = $code:literal, $name:literal, $title:literal, $doc:literal; )*) => {
        $(
            #[doc = $title]
            pub const $konst: &str = $code;
        )*
        /// The codes defined here, in numeric order.
        pub const $list: &[$crate::codes::CodeInfo] = &[
            $( $crate::codes::CodeInfo { code: $code, name: $name, title: $title, doc: $doc }, )*
        ];
    };
}

define_codes! {
    SYNTAX_CODES;
    NOT_A_WORKFLOW = "WF100", "not-a-workflow", "the file is not a workflow definition",
        "A workflow file is either a list of steps or a map with a `main` workflow (and optional subworkflows). A file with neither is probably some other YAML or JSON document; when a folder is checked such files are skipped.";
    YAML_SYNTAX = "WF101", "yaml-syntax", "the file is not valid YAML",
        "The YAML parser stopped at this point. Common causes are a `: ` inside an unquoted value (quote the value), unbalanced brackets or quotes, and wrong indentation. Only the first YAML error can be reported, because parsing cannot continue past it.";
    JSON_SYNTAX = "WF102", "json-syntax", "the file is not valid JSON",
        "Files ending in `.json` are read as strict JSON: no trailing commas, no comments, double-quoted strings only.";
    DUPLICATE_KEY = "WF103", "duplicate-key", "a map has the same key twice",
        "YAML and JSON maps hold each key once. Workflows rejects a duplicate key instead of silently keeping one of the values. Remove or rename one of them.";
    MULTIPLE_DOCUMENTS = "WF104", "multiple-documents", "the file holds more than one YAML document",
        "A workflow file holds exactly one YAML document. A `---` line after the first document starts a second one; remove it or split the file.";
    YAML_UNSUPPORTED = "WF105", "unsupported-yaml", "a YAML feature that workflows do not support",
        "Workflows need plain YAML data: string map keys, no custom tags, and aliases that refer to an anchor defined earlier.";
    TAB_INDENT = "WF106", "tab-indentation", "a tab character is used for indentation",
        "YAML forbids tabs in indentation. Replace the tab with spaces (most editors can be told to insert spaces for the Tab key in YAML files).";
    INT_OUT_OF_RANGE = "WF107", "integer-out-of-range", "an integer does not fit in 64 bits",
        "Workflows integers are signed 64-bit values, from -9223372036854775808 to 9223372036854775807. Quote a larger number to keep it as a string, or write it as a double.";
    TEMPLATE_UNSUPPORTED = "WF108", "template-unsupported", "Terraform template syntax that wfkit does not evaluate",
        "In a Terraform `templatefile` source (`*.tftpl`, or `wf check --template terraform`), wfkit replaces each placeholder such as `${var.region}` by a value (a string, unless `--var NAME=JSON` gives one) and renders `%{ if }` and `%{ for }` directives. Other Terraform expressions (function calls other than `jsonencode`, operators, conditionals, `for` expressions) are not evaluated: a placeholder string stands in their place, so the rest of the file is still checked. Give the value with `--var`, or move the computation into the Terraform configuration.";
    TEMPLATE_SYNTAX = "WF109", "template-syntax", "a Terraform template directive or interpolation is malformed",
        "A `${` or `%{` has no closing `}`, a directive is not one of `if`, `else`, `endif`, `for` and `endfor`, an `%{ endif }` or `%{ endfor }` has no opening directive, directives nest more than 32 deep, or a value that cannot be interpolated (a list, a map or null) is. Terraform rejects such a template; write `$${` for a literal `${` (the workflow's own expressions) and `%%{` for a literal `%{`.";
    EXPR_SYNTAX = "WF110", "expression-syntax", "a `${...}` expression cannot be parsed",
        "The text between `${` and `}` must be one expression: literals, variables, operators (`+ - * / // % == != < <= > >= in and or not`), indexing, field access and function calls.";
    EXPR_UNCLOSED = "WF111", "unclosed-expression", "a `${` has no closing `}`",
        "A string that starts with `${` is an expression and must end with the matching `}`. Add the `}`; if the text is meant literally, it cannot start with `${`.";
    EXPR_TRAILING_TEXT = "WF112", "text-after-expression", "text follows the end of a `${...}` expression",
        "Workflows evaluates a string only when the whole string is one `${...}` expression; it never interpolates expressions into text. Build the string with `+` inside one expression: `${\"id-\" + x + \"-\" + y}`.";
    TEXT_INTERPOLATION = "WF113", "text-interpolation", "`${` inside text is not evaluated",
        "Workflows does not interpolate: `\"id-${x}\"` stays the literal text `id-${x}`. If you meant the value of `x`, write the whole string as one expression: `${\"id-\" + x}`.";
    EXPR_TOO_LONG = "WF114", "expression-too-long", "an expression is longer than 400 characters",
        "Workflows limits the length of one expression (400 characters is the documented figure, though the limit is not verified). Split the computation over several assignments.";
    TOO_DEEP = "WF115", "too-deep", "an expression or a data value is nested too deeply",
        "wfkit accepts expressions up to 400 levels deep and lists and maps up to 128 levels deep; deeper trees would exhaust the stack of the checker, the compiler and the language server. In an expression each operator is a level, including each link of a chain such as `a + b + c` or `x.a.b`, and so are field accesses, indexes, calls, list and map literals, unary operators and parentheses: 400 levels hold every expression within GCW's documented 400-character limit. Real workflows nest their YAML about 20 levels deep. Split the computation or the data over several assignments.";
    SOURCE_TOO_LARGE = "WF116", "source-too-large", "the workflow source is larger than Workflows deploys",
        "Workflows deploys a source of at most 128 KB (131,072 bytes). Comments and indentation count. Split a large workflow into several, one starting another through the executions connector, or move data that the workflow only passes along into its argument.";
    UNKNOWN_KEY = "WF120", "unknown-key", "a key that is not allowed here",
        "Each part of a workflow allows a fixed set of keys (see the syntax reference). An unknown key is usually a typo; Workflows rejects it at deploy time.";
    MISSING_KEY = "WF121", "missing-key", "a required key is missing",
        "Some keys are required: `steps` in a subworkflow, `value` and `in` or `range` in a `for`, `condition` in a switch case, and so on.";
    WRONG_TYPE = "WF122", "wrong-type", "a key's value has the wrong type",
        "The value must have the shape the key expects, for example a step name for `next`, a map for `args`, a list for `steps`.";
    STEP_NO_KIND = "WF123", "step-without-kind", "a step does nothing",
        "A step needs one of `assign`, `call`, `switch`, `for`, `parallel`, `raise`, `try`, `return`, `steps`, or at least a `next`.";
    STEP_MANY_KINDS = "WF124", "step-with-many-kinds", "a step has more than one kind",
        "A step does one thing: `assign`, `call`, `switch`, `for`, `parallel`, `raise`, `try`, `return` or `steps`. Split it into several steps.";
    STEP_SHAPE = "WF125", "step-shape", "a list item is not a step",
        "Each item of a `steps` list is a map with exactly one key, the step name, whose value is the step body: `- my_step: {assign: [...]}`.";
    EMPTY_LIST = "WF126", "empty-list", "a list that must not be empty is empty",
        "`steps`, `assign`, `switch`, `branches` and similar lists need at least one item.";
    KEY_REQUIRES = "WF127", "key-requires", "a key is used without the key it belongs to",
        "`args` and `result` belong to `call`; `retry` and `except` belong to `try`.";
    INVALID_NAME = "WF128", "invalid-name", "a name is not valid here",
        "Variable and parameter names are identifiers: letters, digits and underscores, not starting with a digit. Step names must not be empty.";
    INVALID_TARGET = "WF129", "invalid-assign-target", "the left side of an assignment is not a variable path",
        "An assignment target is a variable name followed by field accesses and indexes: `x`, `a.b`, `m[\"k\"]`, `list[i + 1].name`.";
    RANGE_SHAPE = "WF130", "range-shape", "`range` is not a list of two numbers",
        "A `for` range is `[start, end]` (both inclusive), or one expression that yields such a list: `range: ${[1, n]}`.";
    TOO_MANY = "WF131", "too-many-items", "a list has more items than Workflows allows",
        "Workflows caps some lists: 50 assignments per step, 50 switch conditions, 2 to 10 parallel branches, 100,000 steps per list, one parameter for `main` and 10 for a subworkflow.";
    INVALID_VALUE = "WF132", "invalid-value", "a value that this key does not accept",
        "Some keys take one of a fixed set of values, e.g. `exception_policy: continueAll`, or a positive number.";
    EXCLUSIVE_KEYS = "WF133", "exclusive-keys", "keys that cannot be used together",
        "Some keys exclude each other: `in` and `range` in a `for`, `branches` and `for` in a `parallel`, a predefined retry policy and custom retry fields.";
    DUPLICATE_NAME = "WF134", "duplicate-name", "a name is declared twice",
        "Parameter names, shared variable names and subworkflow names must be unique.";
}

/// Looks up a code (case-insensitive), by number (`WF120`) or by name (`unknown-key`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    SYNTAX_CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code) || c.name.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        for pair in SYNTAX_CODES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
        let mut names: Vec<_> = SYNTAX_CODES.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SYNTAX_CODES.len());
        for c in SYNTAX_CODES {
            assert!(c.code.starts_with("WF1") && c.code.len() == 5, "{}", c.code);
            assert!(!c.title.ends_with('.') && c.doc.ends_with('.'), "{}", c.code);
        }
        assert_eq!(lookup("wf120").map(|c| c.name), Some("unknown-key"));
        assert_eq!(lookup("unknown-key").map(|c| c.code), Some("WF120"));
    }
}
