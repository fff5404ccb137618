//! Types of expressions and data values, and the mistakes that are certain: operators on the
//! wrong types, unknown functions, wrong arity, blocking calls inside expressions, fields a
//! known shape never has, undefined variables. Unknown stays unknown: nothing is reported
//! unless every possible type is wrong.
//!
//! The same code runs silently during type inference (no state, no sink) and then once
//! more, with the definedness state of the node, to report.

use wf_syntax::ast::{Data, DataKind, MapKey, RangeSpec};
use wf_syntax::suggest::did_you_mean;
use wf_syntax::{BinaryOp, Diagnostic, Expr, ExprKind, Span, UnaryOp};

use crate::codes;
use crate::flow::{State, VarId};
use crate::model::Model;
use crate::stdlib::{self, Allowed, Function, PredefinedKind, Returns};
use crate::ty::{Kinds, Ty};

/// A subworkflow call, with the types of the arguments by parameter index.
#[derive(Debug, Clone)]
pub(crate) struct SubCall {
    pub callee: usize,
    pub args: Vec<(usize, Ty)>,
}

/// Evaluates types in one subworkflow, optionally reporting.
pub(crate) struct ExprCx<'m, 'a> {
    pub model: &'m Model<'a>,
    /// Variable types of every subworkflow, and return types (from the inference).
    pub types: &'m crate::ty::Types,
    /// The subworkflow being checked.
    pub sub: usize,
    /// Definedness at this node; `None` while inferring (no definedness checks).
    pub state: Option<&'m State>,
    /// Where diagnostics go; `None` while inferring.
    pub diags: Option<&'m mut Vec<Diagnostic>>,
    /// Variables read.
    pub reads: Vec<VarId>,
    /// Subworkflows called inside expressions.
    pub sub_calls: Vec<SubCall>,
}

impl<'m, 'a> ExprCx<'m, 'a> {
    /// Reports `d` when reporting (and drops it while inferring).
    pub fn report(&mut self, d: Diagnostic) {
        if let Some(diags) = self.diags.as_deref_mut() {
            diags.push(d);
        }
    }

    /// Reports the diagnostic that `make` builds, when reporting. It is built out of line
    /// (and not at all while inferring), so that the recursive functions keep small stack
    /// frames: an expression may be [`wf_syntax::expr::MAX_DEPTH`] levels deep.
    #[cold]
    #[inline(never)]
    pub fn report_with(&mut self, make: impl FnOnce(&Self) -> Diagnostic) {
        if self.reporting() {
            let d = make(self);
            self.report(d);
        }
    }

    fn reporting(&self) -> bool {
        self.diags.is_some()
    }

    /// The type of a data value (expressions inside included).
    pub fn value(&mut self, v: &Data) -> Ty {
        match &v.kind {
            DataKind::Null => Ty::of(Kinds::NULL),
            DataKind::Bool(_) => Ty::of(Kinds::BOOL),
            DataKind::Int(_) => Ty::of(Kinds::INT),
            DataKind::Double(_) => Ty::of(Kinds::DOUBLE),
            DataKind::String(_) => Ty::of(Kinds::STRING),
            // An expression that did not parse was reported already; say nothing more about it.
            DataKind::Expr(e) if self.reporting() && e.has_error() => Ty::any(),
            DataKind::Expr(e) => self.expr(e),
            DataKind::List(items) => {
                let elem = items.iter().fold(Ty::none(), |acc, i| acc.union(&self.value(i)));
                Ty::list_of(elem)
            }
            DataKind::Map(entries) => {
                let mut fields = Vec::with_capacity(entries.len());
                for entry in entries {
                    let t = self.value(&entry.value);
                    match &entry.key {
                        MapKey::Name(n) => fields.push((n.text.clone(), t)),
                        MapKey::Expr(e) => {
                            let key = self.expr(e);
                            self.expect(e, &key, Kinds::STRING, "a map key");
                        }
                    }
                }
                Ty::map_of(fields, false)
            }
        }
    }

    /// The type of an expression.
    pub fn expr(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Double(_) | ExprKind::String(_) => {
                literal_type(&e.kind)
            }
            ExprKind::Error => Ty::any(),
            ExprKind::Var(name) => self.var(name, e.span),
            ExprKind::List(items) => self.list(items),
            ExprKind::Map(entries) => self.map(entries),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
            ExprKind::Binary { op, op_span, lhs, rhs } => self.binary(*op, *op_span, lhs, rhs),
            ExprKind::Member { object, name, name_span } => self.member(e, object, name, *name_span),
            ExprKind::Index { object, index } => self.index(object, index),
            ExprKind::Call { callee, args } => self.call(callee, args, e.span),
        }
    }

    fn list(&mut self, items: &[Expr]) -> Ty {
        let elem = items.iter().fold(Ty::none(), |acc, i| acc.union(&self.expr(i)));
        Ty::list_of(elem)
    }

    fn map(&mut self, entries: &[(Expr, Expr)]) -> Ty {
        let mut fields = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let t = self.expr(v);
            if let ExprKind::String(name) = &k.kind {
                fields.push((name.clone(), t));
            }
        }
        Ty::map_of(fields, false)
    }

    /// Whether `name` is a variable that may exist here.
    fn is_variable(&self, name: &str) -> bool {
        let sub = &self.model.subs[self.sub];
        match (sub.vars.id(name), self.state) {
            (Some(v), Some(state)) => state.may.contains(v),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    fn var(&mut self, name: &str, span: Span) -> Ty {
        let sub = &self.model.subs[self.sub];
        if let Some(v) = sub.vars.id(name) {
            let defined = self.state.map(|s| (s.may.contains(v), s.must.contains(v)));
            match defined {
                Some((false, _)) => self.report_with(|_| Diagnostic::error(codes::UNDEFINED_VARIABLE, span, format!("`{name}` is not defined here"))
                        .with_label("no path assigns it before this point")
                        .with_help("assign it in an earlier step; variables created inside a loop, branch or except block do not exist after it")),
                Some((true, false)) => self.report_with(|_| Diagnostic::warning(codes::MAYBE_UNDEFINED, span, format!("`{name}` may not be defined here"))
                        .with_label("some paths reach this point without assigning it")
                        .with_help("assign a default value before the branch or loop that sets it")),
                _ => {}
            }
            self.reads.push(v);
            return self.types.subs[self.sub].vars[v].clone();
        }
        if self.model.sub_index(name).is_some() {
            self.report_with(|_| {
                Diagnostic::error(codes::NOT_CALLABLE, span, format!("`{name}` is a subworkflow, not a value"))
                    .with_label("a subworkflow name")
                    .with_help(format!("call it: `{name}(...)`, or use a `call` step"))
            });
            return Ty::any();
        }
        if let Some(f) = stdlib::function(name) {
            self.report_with(|_| {
                Diagnostic::error(codes::NOT_CALLABLE, span, format!("`{name}` is a function, not a value"))
                    .with_label("not called")
                    .with_help(format!("call it: `{}`", f.signature()))
            });
            return Ty::any();
        }
        if stdlib::is_module(name) {
            self.report_with(|_| {
                Diagnostic::error(codes::NOT_CALLABLE, span, format!("`{name}` is a module, not a value"))
                    .with_label("a standard-library module")
                    .with_help(format!("use one of its functions, e.g. `{name}.…(...)`"))
            });
            return Ty::any();
        }
        if self.reporting() {
            let names: Vec<&str> = sub.vars.names.clone();
            let mut d = Diagnostic::error(codes::UNDEFINED_VARIABLE, span, format!("`{name}` is not defined"))
                .with_label("no step assigns this variable");
            d = match did_you_mean(name, names.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None if self.sub == 0 && sub.sub.params.is_empty() && name == "args" => {
                    d.with_help("declare the runtime argument: `main: {params: [args], steps: ...}`")
                }
                None => d.with_help("assign it in an earlier step, or declare it in `params`"),
            };
            self.report(d);
        }
        Ty::any()
    }

    /// Reports when `t` certainly is none of `want`.
    fn expect(&mut self, at: &Expr, t: &Ty, want: Kinds, what: &str) -> bool {
        if t.kinds.is_none() || t.kinds.intersects(want) {
            return true;
        }
        self.report_with(|_| {
            kind_problem(
                codes::TYPE_MISMATCH,
                at.span,
                format!("{what} must be {}, found {}", describe(want), t.kinds),
                &[t],
            )
            .with_label(format!("this is {}", article(t.kinds)))
        });
        false
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> Ty {
        let t = self.expr(operand);
        let _ = span;
        match op {
            UnaryOp::Neg => self.expect(operand, &t, Kinds::NUMBER, "the operand of `-`"),
            UnaryOp::Not => self.expect(operand, &t, Kinds::BOOL, "the operand of `not`"),
        };
        unary_type(op, &t)
    }

    fn binary(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Ty {
        let l = self.expr(lhs);
        let r = self.expr(rhs);
        if self.reporting() && !l.kinds.is_none() && !r.kinds.is_none() {
            let accepted = operand_kinds(op);
            let left_ok = l.kinds.intersects(accepted.0);
            let right_ok = r.kinds.intersects(accepted.1);
            if !left_ok || !right_ok {
                let (side, t, word) = if left_ok { (rhs, &r, "right") } else { (lhs, &l, "left") };
                self.report_with(|_| {
                    kind_problem(
                        codes::TYPE_MISMATCH,
                        op_span,
                        format!("`{}` cannot take {} as its {word} operand", op.as_str(), article(t.kinds)),
                        &[t],
                    )
                    .with_label(format!(
                        "`{}` needs {}",
                        op.as_str(),
                        describe(if left_ok { accepted.1 } else { accepted.0 })
                    ))
                    .with_secondary(side.span, format!("this is {}", article(t.kinds)))
                    .with_help_opt(operator_help(op, t.kinds))
                });
            } else if combined_kinds(op, &l, &r).is_none() {
                self.report_with(|_| {
                    kind_problem(
                        codes::TYPE_MISMATCH,
                        op_span,
                        format!("`{}` cannot combine {} with {}", op.as_str(), article(l.kinds), article(r.kinds)),
                        &[&l, &r],
                    )
                    .with_label("incompatible operands")
                    .with_secondary(lhs.span, format!("this is {}", article(l.kinds)))
                    .with_secondary(rhs.span, format!("this is {}", article(r.kinds)))
                    .with_help_opt(operator_help(op, l.kinds.or(r.kinds)))
                });
            }
        }
        binary_type(op, &l, &r)
    }

    /// A dotted name that refers to the standard library rather than to a variable.
    fn library_path(&self, e: &Expr) -> Option<String> {
        let root = e.dotted_root()?;
        if self.is_variable(root) || !stdlib::is_module(root) {
            return None;
        }
        e.dotted_name()
    }

    fn member(&mut self, whole: &Expr, object: &Expr, name: &str, name_span: Span) -> Ty {
        if let Some(t) = self.library_member(whole, name_span) {
            return t;
        }
        let t = self.expr(object);
        self.field_of(t, object, name, name_span)
    }

    /// The type of `whole` when it names something in the standard library.
    fn library_member(&mut self, whole: &Expr, name_span: Span) -> Option<Ty> {
        let path = self.library_path(whole)?;
        if let Some(v) = stdlib::value(&path) {
            return Some(match v.kind {
                PredefinedKind::Data(shape) => shape.ty(),
                PredefinedKind::RetryPolicy | PredefinedKind::Predicate => Ty::of(Kinds::MAP),
            });
        }
        if let Some(f) = stdlib::function(&path) {
            self.report_with(|_| {
                Diagnostic::error(codes::NOT_CALLABLE, whole.span, format!("`{path}` is a function, not a value"))
                    .with_label("not called")
                    .with_help(format!("call it: `{}`", f.signature()))
            });
        } else if !stdlib::is_module(&path) {
            self.unknown_library_name(&path, name_span, false);
        }
        Some(Ty::any())
    }

    /// The type of field `name` of `object`, whose type is `t`.
    fn field_of(&mut self, t: Ty, object: &Expr, name: &str, name_span: Span) -> Ty {
        if t.kinds.is_none() {
            return Ty::none();
        }
        if !t.kinds.intersects(Kinds::MAP) {
            self.report_with(|_| {
                kind_problem(
                    codes::TYPE_MISMATCH,
                    name_span,
                    format!("{} has no field `{name}`", article(t.kinds)),
                    &[&t],
                )
                .with_label("fields belong to maps")
                .with_secondary(object.span, format!("this is {}", article(t.kinds)))
            });
            return Ty::any();
        }
        if let Some(f) = t.field(name) {
            return f;
        }
        self.report_with(|_| {
            let fields: Vec<&str> =
                t.fields.as_ref().map(|f| f.entries.iter().map(|(k, _)| k.as_str()).collect()).unwrap_or_default();
            let d = Diagnostic::error(codes::UNKNOWN_FIELD, name_span, format!("no field `{name}` in {t}"))
                .with_label("unknown field");
            match did_you_mean(name, fields.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!("the fields are: {}", fields.join(", "))),
            }
        });
        Ty::any()
    }

    fn index(&mut self, object: &Expr, index: &Expr) -> Ty {
        let t = self.expr(object);
        let i = self.expr(index);
        if t.kinds.is_none() || i.kinds.is_none() {
            return Ty::none();
        }
        if !t.kinds.intersects(Kinds::LIST.or(Kinds::MAP)) {
            let help = t
                .kinds
                .intersects(Kinds::STRING)
                .then(|| "use `text.substring(s, start, end)` for parts of a string".to_string());
            self.report_with(|_| {
                kind_problem(codes::TYPE_MISMATCH, index.span, format!("{} cannot be indexed", article(t.kinds)), &[&t])
                    .with_label("only lists and maps can be indexed")
                    .with_secondary(object.span, format!("this is {}", article(t.kinds)))
                    .with_help_opt(help)
            });
            return Ty::any();
        }
        let list_ok = t.kinds.intersects(Kinds::LIST) && i.kinds.intersects(Kinds::INT);
        let map_ok = t.kinds.intersects(Kinds::MAP) && i.kinds.intersects(Kinds::STRING);
        if !list_ok && !map_ok {
            let want = if t.kinds.intersects(Kinds::LIST) { "an integer (lists)" } else { "a string (maps)" };
            self.report_with(|_| {
                kind_problem(
                    codes::TYPE_MISMATCH,
                    index.span,
                    format!("an index must be {want}, found {}", i.kinds),
                    &[&i, &t],
                )
                .with_label(format!("this is {}", article(i.kinds)))
            });
            return Ty::any();
        }
        let mut out = Ty::none();
        if list_ok {
            out = out.union(&t.element());
        }
        if map_ok {
            let field = match &index.kind {
                ExprKind::String(key) => t.field(key).unwrap_or_else(Ty::any),
                _ => Ty::any(),
            };
            out = out.union(&field);
        }
        out
    }

    fn call(&mut self, callee: &Expr, args: &[Expr], span: Span) -> Ty {
        let arg_types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        let Some(path) = callee.dotted_name() else {
            self.expr(callee);
            self.report_with(|_| {
                Diagnostic::error(codes::NOT_CALLABLE, callee.span, "only functions and subworkflows can be called")
                    .with_label("not a function name")
            });
            return Ty::any();
        };
        if !path.contains('.')
            && let Some(target) = self.model.sub_index(&path)
        {
            return self.sub_call(target, &path, callee.span, args, arg_types, span);
        }
        if let Some(f) = stdlib::function(&path) {
            return self.stdlib_call(f, callee.span, args, &arg_types);
        }
        if stdlib::is_connector(&path) {
            // Google's own samples call connector helpers such as `...accessString` in
            // expressions, so connectors are not treated as blocking there.
            return Ty::any().external();
        }
        if stdlib::value(&path).is_some() {
            self.report_with(|_| {
                Diagnostic::error(codes::NOT_CALLABLE, callee.span, format!("`{path}` is a value, not a function"))
                    .with_label("cannot be called")
                    .with_help(format!("write `{path}` without parentheses"))
            });
            return Ty::any();
        }
        let root = path.split('.').next().unwrap_or(&path).to_string();
        if path.contains('.') && self.is_variable(&root) && !stdlib::is_module(&root) {
            self.expr(callee);
            self.report_with(|_| {
                Diagnostic::error(codes::NOT_CALLABLE, callee.span, format!("`{path}` is not a function"))
                    .with_label("a value cannot be called")
            });
            return Ty::any();
        }
        self.unknown_library_name(&path, callee.span, true);
        Ty::any()
    }

    fn unknown_library_name(&mut self, path: &str, span: Span, called: bool) {
        if !self.reporting() {
            return;
        }
        let module = path.rsplit_once('.').map(|(m, _)| m);
        let candidates: Vec<String> = match module {
            Some(m) if stdlib::is_module(m) => stdlib::functions_in(m)
                .map(|f| f.name.to_string())
                .chain(
                    stdlib::VALUES.iter().filter(|v| v.name.starts_with(&format!("{m}."))).map(|v| v.name.to_string()),
                )
                .collect(),
            _ => stdlib::helpers()
                .map(|f| f.name.to_string())
                .chain(self.model.subs.iter().map(|s| s.sub.name.text.clone()))
                .chain(stdlib::FUNCTIONS.iter().map(|f| f.name.to_string()))
                .collect(),
        };
        let what = if called { "function" } else { "name" };
        let mut d = Diagnostic::error(codes::UNKNOWN_FUNCTION, span, format!("unknown {what} `{path}`")).with_label(
            match module {
                Some(m) if stdlib::is_module(m) => format!("the `{m}` module has no `{}`", &path[m.len() + 1..]),
                _ => "not a standard-library function or a subworkflow of this file".to_string(),
            },
        );
        if let Some(s) = did_you_mean(path, candidates.iter().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.report(d);
    }

    fn sub_call(&mut self, target: usize, name: &str, at: Span, args: &[Expr], arg_types: Vec<Ty>, span: Span) -> Ty {
        let params = &self.model.subs[target].sub.params;
        let required = params.iter().filter(|p| p.default.is_none()).count();
        if args.len() < required || args.len() > params.len() {
            let list: Vec<&str> = params.iter().map(|p| p.name.text.as_str()).collect();
            self.report_with(|_| {
                Diagnostic::error(
                    codes::WRONG_ARITY,
                    span,
                    format!(
                        "subworkflow `{name}` takes {} argument{}, found {}",
                        arity_text(required, params.len()),
                        plural(params.len()),
                        args.len()
                    ),
                )
                .with_label("wrong number of arguments")
                .with_help(format!("its parameters are ({}), passed in this order", list.join(", ")))
            });
        }
        if self.model.subs[target].blocking && self.reporting() {
            self.report_with(|_| {
                Diagnostic::warning(
                    codes::BLOCKING_SUBWORKFLOW_IN_EXPRESSION,
                    at,
                    format!("subworkflow `{name}` makes blocking calls but is called inside an expression"),
                )
                .with_label("called inside `${...}`")
                .with_help("call it from a `call` step instead")
            });
        }
        self.sub_calls.push(SubCall { callee: target, args: arg_types.into_iter().enumerate().collect() });
        self.types.subs[target].returns.clone()
    }

    fn stdlib_call(&mut self, f: &'static Function, at: Span, args: &[Expr], arg_types: &[Ty]) -> Ty {
        if f.blocking {
            self.report_with(|_| blocking_in_expression(f.name, at));
        }
        if f.status == stdlib::Status::Preview {
            return result_type(f, arg_types);
        }
        let required = f.required_count();
        if args.len() < required || args.len() > f.params.len() {
            // Arguments are positional: with the wrong count, their types say nothing more.
            self.report_with(|_| {
                Diagnostic::error(
                    codes::WRONG_ARITY,
                    at,
                    format!(
                        "`{}` takes {} argument{}, found {}",
                        f.name,
                        arity_text(required, f.params.len()),
                        plural(f.params.len()),
                        args.len()
                    ),
                )
                .with_label("wrong number of arguments")
                .with_help(format!("the signature is `{}`", f.signature()))
            });
            return result_type(f, arg_types);
        }
        for ((arg, t), p) in args.iter().zip(arg_types).zip(f.params) {
            self.check_argument(f, p, arg.span, t, literal_of(arg));
        }
        result_type(f, arg_types)
    }

    /// Checks one argument of a standard-library function against its parameter.
    pub fn check_argument(&mut self, f: &Function, p: &stdlib::Param, at: Span, t: &Ty, literal: Option<Literal<'_>>) {
        if !t.kinds.is_none() && !t.kinds.intersects(p.kinds) {
            self.report_with(|_| {
                kind_problem(
                    codes::ARGUMENT_TYPE,
                    at,
                    format!("`{}` of `{}` must be {}, found {}", p.name, f.name, describe(p.kinds), t.kinds),
                    &[t],
                )
                .with_label(format!("this is {}", article(t.kinds)))
                .with_help(argument_help(f, p))
            });
            return;
        }
        match (p.allowed, literal) {
            (Allowed::OneOf(values), Some(Literal::Str(s))) if !values.contains(&s) => {
                let mut d =
                    Diagnostic::error(codes::INVALID_ARGUMENT, at, format!("`{s}` is not a valid `{}`", p.name))
                        .with_label(format!("expected one of {}", values.join(", ")));
                if let Some(m) = did_you_mean(s, values.iter().copied()) {
                    d = d.with_help(format!("did you mean `{m}`?"));
                }
                self.report(d);
            }
            (Allowed::Range(min, max), Some(Literal::Num(x))) if x < min || x > max => {
                self.report_with(|_| {
                    Diagnostic::error(
                        codes::INVALID_ARGUMENT,
                        at,
                        format!("`{}` of `{}` must be between {min} and {max}, found {x}", p.name, f.name),
                    )
                    .with_label("out of range")
                });
            }
            _ => {}
        }
    }
}

/// An error about a value of the wrong kind; a warning when the value comes from a call's
/// result (see [`Ty::external`]), with a hint when it is an HTTP response used whole.
pub(crate) fn kind_problem(code: &'static str, span: Span, message: String, offending: &[&Ty]) -> Diagnostic {
    if !offending.iter().any(|t| t.external) {
        return Diagnostic::error(code, span, message);
    }
    let response =
        offending.iter().any(|t| t.kinds == Kinds::MAP && t.field("body").is_some() && t.field("code").is_some());
    let d = Diagnostic::warning(code, span, message)
        .with_note("the value is the result of a call; this fails at run time unless the service answers otherwise than documented");
    if response {
        d.with_help("an HTTP response is a map `{code, headers, body}`: use `.body` for what the server sent")
    } else {
        d
    }
}

/// A literal argument value, for checking allowed values.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Literal<'v> {
    Str(&'v str),
    Num(f64),
}

/// The literal an expression spells, if it is one (negative numbers included).
pub(crate) fn literal_of(e: &Expr) -> Option<Literal<'_>> {
    match &e.kind {
        ExprKind::String(s) => Some(Literal::Str(s)),
        ExprKind::Int(n) => Some(Literal::Num(*n as f64)),
        ExprKind::Double(x) => Some(Literal::Num(*x)),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => match literal_of(operand)? {
            Literal::Num(x) => Some(Literal::Num(-x)),
            Literal::Str(_) => None,
        },
        _ => None,
    }
}

/// The literal a data value spells, if it is one.
pub(crate) fn literal_of_value(v: &Data) -> Option<Literal<'_>> {
    match &v.kind {
        DataKind::String(s) => Some(Literal::Str(s)),
        DataKind::Int(n) => Some(Literal::Num(*n as f64)),
        DataKind::Double(x) => Some(Literal::Num(*x)),
        DataKind::Expr(e) => literal_of(e),
        _ => None,
    }
}

/// The type of a literal (`null`, `true`, `1`, `1.5`, `"a"`); anything for other expressions.
pub(crate) fn literal_type(kind: &ExprKind) -> Ty {
    Ty::of(match kind {
        ExprKind::Null => Kinds::NULL,
        ExprKind::Bool(_) => Kinds::BOOL,
        ExprKind::Int(_) => Kinds::INT,
        ExprKind::Double(_) => Kinds::DOUBLE,
        ExprKind::String(_) => Kinds::STRING,
        _ => Kinds::ANY,
    })
}

/// The type a standard-library function returns for these argument types.
pub(crate) fn result_type(f: &Function, args: &[Ty]) -> Ty {
    let t = declared_result(f, args);
    // What a blocking call returns comes from outside: it only draws warnings.
    if f.blocking { t.external() } else { t }
}

fn declared_result(f: &Function, args: &[Ty]) -> Ty {
    match f.returns {
        Returns::Kinds(k) => Ty::of(k),
        Returns::Shape(s) => s.ty(),
        Returns::SameAs(i) => {
            let t = args.get(i).cloned().unwrap_or_else(Ty::any);
            match f.name {
                // list.concat/prepend add an element: the element type grows.
                "list.concat" | "list.prepend" => {
                    let added = args.get(1).cloned().unwrap_or_else(Ty::any);
                    Ty::list_of(t.element().union(&added)).bounded()
                }
                _ if f.params.get(i).is_some() && !t.kinds.is_none() => {
                    let want = f.params[i].kinds;
                    if t.kinds.intersects(want) { Ty { kinds: t.kinds.and(want), ..t } } else { Ty::of(want) }
                }
                _ => t,
            }
        }
        Returns::UnionOf(a, b) => {
            let x = args.get(a).cloned().unwrap_or_else(Ty::any);
            let y = args.get(b).cloned().unwrap_or_else(Ty::any);
            if f.name == "default" {
                // `default(v, d)` replaces a null `v`.
                let non_null = Ty { kinds: x.kinds.minus(Kinds::NULL), ..x };
                non_null.union(&y)
            } else {
                x.union(&y)
            }
        }
    }
}

fn argument_help(f: &Function, p: &stdlib::Param) -> String {
    match (f.name, p.name) {
        ("events.await_callback", "callback") => {
            "pass the whole map that `events.create_callback_endpoint` returned (e.g. `${callback}`), not its URL"
                .into()
        }
        _ => format!("the signature is `{}`", f.signature()),
    }
}

fn blocking_in_expression(name: &str, at: Span) -> Diagnostic {
    Diagnostic::error(codes::BLOCKING_IN_EXPRESSION, at, format!("`{name}` cannot be called inside an expression"))
        .with_label("a blocking function")
        .with_help("call it in its own `call` step with `result: name`, then use the result")
}

/// Which operand kinds an operator accepts at all: (left, right).
fn operand_kinds(op: BinaryOp) -> (Kinds, Kinds) {
    let scalar = Kinds::NUMBER.or(Kinds::STRING).or(Kinds::BOOL);
    match op {
        BinaryOp::Add => (scalar, scalar),
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::FloorDiv | BinaryOp::Rem => {
            (Kinds::NUMBER, Kinds::NUMBER)
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            (Kinds::NUMBER.or(Kinds::STRING), Kinds::NUMBER.or(Kinds::STRING))
        }
        BinaryOp::Eq | BinaryOp::Ne => (Kinds::ANY, Kinds::ANY),
        BinaryOp::In => (Kinds::ANY, Kinds::LIST.or(Kinds::MAP).or(Kinds::STRING)),
        BinaryOp::And | BinaryOp::Or => (Kinds::BOOL, Kinds::BOOL),
    }
}

/// The result of `a op b` for single kinds, or `None` for a TypeError.
fn binary_result(op: BinaryOp, a: Kinds, b: Kinds) -> Option<Kinds> {
    let num = |k: Kinds| k.within(Kinds::NUMBER);
    let arith = || if a == Kinds::INT && b == Kinds::INT { Kinds::INT } else { Kinds::DOUBLE };
    match op {
        BinaryOp::Add => {
            if num(a) && num(b) {
                Some(arith())
            } else if (a == Kinds::STRING && (num(b) || b == Kinds::STRING || b == Kinds::BOOL))
                || (b == Kinds::STRING && (num(a) || a == Kinds::BOOL))
            {
                Some(Kinds::STRING)
            } else {
                None
            }
        }
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::FloorDiv | BinaryOp::Rem => (num(a) && num(b)).then(arith),
        BinaryOp::Div => (num(a) && num(b)).then_some(Kinds::DOUBLE),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            ((num(a) && num(b)) || (a == Kinds::STRING && b == Kinds::STRING)).then_some(Kinds::BOOL)
        }
        BinaryOp::Eq | BinaryOp::Ne => Some(Kinds::BOOL),
        BinaryOp::In => b.intersects(Kinds::LIST.or(Kinds::MAP).or(Kinds::STRING)).then_some(Kinds::BOOL),
        BinaryOp::And | BinaryOp::Or => (a == Kinds::BOOL && b == Kinds::BOOL).then_some(Kinds::BOOL),
    }
}

/// The type of `op x` for an operand of type `t` (the one rule the checker and the editor
/// features share).
pub(crate) fn unary_type(op: UnaryOp, t: &Ty) -> Ty {
    match op {
        UnaryOp::Neg => {
            Ty::of(if t.kinds.intersects(Kinds::NUMBER) { t.kinds.and(Kinds::NUMBER) } else { Kinds::NUMBER })
        }
        UnaryOp::Not => Ty::of(Kinds::BOOL),
    }
}

/// The type of `l op r` (the one rule the checker and the editor features share): the
/// union over the operands' kinds, or what the operator gives when they are wrong.
pub(crate) fn binary_type(op: BinaryOp, l: &Ty, r: &Ty) -> Ty {
    if l.kinds.is_none() || r.kinds.is_none() {
        return Ty::none();
    }
    let accepted = operand_kinds(op);
    if !l.kinds.intersects(accepted.0) || !r.kinds.intersects(accepted.1) {
        return Ty::of(fallback_result(op));
    }
    let result = combined_kinds(op, l, r);
    Ty::of(if result.is_none() { fallback_result(op) } else { result })
}

/// The kinds `l op r` gives over every pair of the operands' kinds (none: no pair works).
fn combined_kinds(op: BinaryOp, l: &Ty, r: &Ty) -> Kinds {
    let mut result = Kinds::NONE;
    for a in l.kinds.iter() {
        for b in r.kinds.iter() {
            if let Some(k) = binary_result(op, a, b) {
                result = result.or(k);
            }
        }
    }
    result
}

/// What an operator gives when its operands are wrong (so that one mistake is reported once).
fn fallback_result(op: BinaryOp) -> Kinds {
    match op {
        BinaryOp::Add => Kinds::NUMBER.or(Kinds::STRING),
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::FloorDiv | BinaryOp::Rem | BinaryOp::Div => Kinds::NUMBER,
        _ => Kinds::BOOL,
    }
}

fn operator_help(op: BinaryOp, found: Kinds) -> Option<String> {
    match op {
        BinaryOp::Add if found.intersects(Kinds::LIST) => {
            Some("to append to a list, use `list.concat(list, value)`".into())
        }
        BinaryOp::Add if found.intersects(Kinds::NULL) => {
            Some("wrap a value that may be null: `default(x, \"\")`".into())
        }
        BinaryOp::And | BinaryOp::Or if found.intersects(Kinds::NULL) => {
            Some("null is not false in Workflows; compare explicitly: `x != null`".into())
        }
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::FloorDiv | BinaryOp::Rem
            if found.intersects(Kinds::STRING) =>
        {
            Some("convert text to a number first: `int(s)` or `double(s)`".into())
        }
        _ => None,
    }
}

/// "a string", "an integer", "a string or null".
pub(crate) fn article(k: Kinds) -> String {
    let names: Vec<String> = k
        .iter()
        .map(|one| match one.gcw_name() {
            "null" => "null".to_string(),
            n @ ("integer" | "list") if n.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {n}"),
            n => format!("{} {n}", if n.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }),
        })
        .collect();
    match names.len() {
        0 => "nothing".into(),
        1 => names[0].clone(),
        _ => format!("{} or {}", names[..names.len() - 1].join(", "), names[names.len() - 1]),
    }
}

/// "a number", "a string", "a list or a map".
pub(crate) fn describe(k: Kinds) -> String {
    if k == Kinds::ANY {
        return "any value".into();
    }
    if k == Kinds::NUMBER {
        return "a number".into();
    }
    if k.intersects(Kinds::NUMBER) && k.and(Kinds::NUMBER) == Kinds::NUMBER {
        let rest = k.minus(Kinds::NUMBER);
        return if rest.is_none() { "a number".into() } else { format!("a number or {}", article(rest)) };
    }
    article(k)
}

fn arity_text(required: usize, total: usize) -> String {
    if required == total { required.to_string() } else { format!("{required} to {total}") }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The element type of a `range` loop: integers when both ends are integers.
pub(crate) fn range_element(cx: &mut ExprCx<'_, '_>, r: &RangeSpec) -> Ty {
    match r {
        RangeSpec::Pair(a, b) => {
            let (ta, tb) = (cx.value(a), cx.value(b));
            let both_int = ta.kinds.within(Kinds::INT) && tb.kinds.within(Kinds::INT);
            Ty::of(if both_int { Kinds::INT } else { Kinds::NUMBER })
        }
        RangeSpec::Expr(e) => {
            let t = cx.expr(e);
            let elem = t.element();
            if elem.kinds.within(Kinds::INT) && !elem.kinds.is_none() {
                Ty::of(Kinds::INT)
            } else {
                Ty::of(Kinds::NUMBER)
            }
        }
    }
}
