//! Compiling data values and `${...}` expressions.

use std::rc::Rc;

use wf_syntax::ast::{Data, DataKind, MapKey};
use wf_syntax::{BinaryOp, Expr, ExprKind, UnaryOp};

use super::steps::FnCompiler;
use super::{Result, unsupported};
use crate::code::{EffectSite, NO_SLOT, Op};
use crate::value::{Map, Value};

/// The value of a data tree without expressions, if it is one (folded to a constant).
fn literal(v: &Data) -> Option<Value> {
    Some(match &v.kind {
        DataKind::Null => Value::Null,
        DataKind::Bool(b) => Value::Bool(*b),
        DataKind::Int(n) => Value::Int(*n),
        DataKind::Double(x) => Value::Double(*x),
        DataKind::String(s) => Value::str(s),
        DataKind::Expr(_) => return None,
        // Data nested deeper than the machine allows is not folded: the instructions that
        // build it raise the `ResourceLimitError` at run time, where it is written.
        DataKind::List(items) => Value::try_list(items.iter().map(literal).collect::<Option<_>>()?).ok()?,
        DataKind::Map(entries) => {
            let mut m = Map::with_capacity_and_hasher(entries.len(), Default::default());
            for e in entries {
                let MapKey::Name(n) = &e.key else { return None };
                m.insert(Rc::from(n.text.as_str()), literal(&e.value)?);
            }
            Value::try_map(m).ok()?
        }
    })
}

/// Predefined values that expressions may name.
fn stdlib_value(name: &str) -> Option<Value> {
    let backoff = || {
        Value::from_pairs([
            ("initial_delay", Value::Int(1)),
            ("max_delay", Value::Int(60)),
            ("multiplier", Value::Double(1.25)),
        ])
    };
    let policy = |predicate: &str| {
        Value::from_pairs([
            ("predicate", Value::str(predicate)),
            ("max_retries", Value::Int(5)),
            ("backoff", backoff()),
        ])
    };
    Some(match name {
        "retry.default_backoff" => backoff(),
        "http.default_retry" => policy("http.default_retry_predicate"),
        "http.default_retry_non_idempotent" => policy("http.default_retry_predicate_non_idempotent"),
        _ => return None,
    })
}

/// What an integer guard does with its result (see [`FnCompiler::int_guard`]).
#[derive(Debug, Clone, Copy)]
pub enum IntGuard {
    /// Push it.
    Push,
    /// Store it in a slot (the caller emits the plain code's `Store`).
    Store(u32),
    /// Jump when it is false (the caller emits the plain code's `JumpIfFalse`).
    JumpIfFalse,
}

impl<'a> FnCompiler<'_, 'a> {
    /// Pushes a data value.
    pub fn value(&mut self, v: &'a Data) -> Result<()> {
        if let Some(lit) = literal(v) {
            self.push_constant(lit);
            return Ok(());
        }
        match &v.kind {
            DataKind::Expr(e) => self.expr(e),
            DataKind::List(items) => {
                for i in items {
                    self.value(i)?;
                }
                self.at(v.span);
                self.e.emit(Op::List(items.len() as u32));
                Ok(())
            }
            DataKind::Map(entries) => {
                for entry in entries {
                    match &entry.key {
                        MapKey::Name(n) => self.push_constant(Value::str(&n.text)),
                        MapKey::Expr(e) => self.expr(e)?,
                    }
                    self.value(&entry.value)?;
                }
                self.at(v.span);
                self.e.emit(Op::Map(entries.len() as u32));
                Ok(())
            }
            _ => unreachable_literal(v),
        }
    }

    fn push_constant(&mut self, v: Value) {
        match v {
            Value::Null => self.e.emit(Op::Null),
            Value::Bool(b) => self.e.emit(Op::Bool(b)),
            Value::Int(n) => self.e.emit(Op::Int(n)),
            other => {
                let c = self.c.constant(other);
                self.e.emit(Op::Const(c))
            }
        };
    }

    /// Pushes the value of an expression. Each kind has its own function, so that the
    /// frames of this recursion stay small (an expression may be
    /// [`wf_syntax::expr::MAX_DEPTH`] levels deep).
    pub fn expr(&mut self, e: &'a Expr) -> Result<()> {
        match &e.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Double(_) | ExprKind::String(_) => {
                self.literal_expr(&e.kind);
                Ok(())
            }
            ExprKind::Var(name) => {
                self.load(name, e.span);
                Ok(())
            }
            ExprKind::List(items) => self.list(items, e.span),
            ExprKind::Map(entries) => self.map(entries, e.span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
            ExprKind::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), op_span, lhs, rhs } => {
                self.logical(*op, *op_span, lhs, rhs)
            }
            ExprKind::Binary { .. } => {
                if self.int_guard(e, IntGuard::Push)?.is_none() {
                    self.binary(e)?;
                }
                Ok(())
            }
            ExprKind::Member { object, name, name_span } => self.member(e, object, name, *name_span),
            ExprKind::Index { object, index } => {
                self.expr(object)?;
                self.expr(index)?;
                self.at(index.span);
                self.e.emit(Op::Index);
                Ok(())
            }
            ExprKind::Call { callee, args } => self.call(callee, args, e.span),
            ExprKind::Error => unsupported(e.span, "this expression has errors; fix them first (`wf check`)"),
        }
    }

    fn literal_expr(&mut self, kind: &ExprKind) {
        self.push_constant(match kind {
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Int(n) => Value::Int(*n),
            ExprKind::Double(x) => Value::Double(*x),
            ExprKind::String(s) => Value::str(s),
            _ => Value::Null,
        });
    }

    fn load(&mut self, name: &'a str, span: wf_syntax::Span) {
        let s = self.slot(name);
        self.at(span);
        self.e.emit(if self.is_shared(name) { Op::LoadShared(s) } else { Op::Load(s) });
    }

    fn list(&mut self, items: &'a [Expr], span: wf_syntax::Span) -> Result<()> {
        for i in items {
            self.expr(i)?;
        }
        self.at(span);
        self.e.emit(Op::List(items.len() as u32));
        Ok(())
    }

    fn map(&mut self, entries: &'a [(Expr, Expr)], span: wf_syntax::Span) -> Result<()> {
        for (k, v) in entries {
            self.expr(k)?;
            self.expr(v)?;
        }
        self.at(span);
        self.e.emit(Op::Map(entries.len() as u32));
        Ok(())
    }

    fn unary(&mut self, op: UnaryOp, operand: &'a Expr, span: wf_syntax::Span) -> Result<()> {
        self.expr(operand)?;
        self.at(span);
        self.e.emit(match op {
            UnaryOp::Neg => Op::Neg,
            UnaryOp::Not => Op::Not,
        });
        Ok(())
    }

    /// `and` / `or`: the right operand runs only when the left one does not decide.
    fn logical(&mut self, op: BinaryOp, op_span: wf_syntax::Span, lhs: &'a Expr, rhs: &'a Expr) -> Result<()> {
        self.expr(lhs)?;
        self.at(op_span);
        let jump = self.e.emit(if op == BinaryOp::And { Op::AndThen(u32::MAX) } else { Op::OrElse(u32::MAX) });
        self.expr(rhs)?;
        self.at(op_span);
        self.e.emit(Op::CheckBool);
        let end = self.e.pc();
        self.e.patch(jump, end);
        Ok(())
    }

    fn member(&mut self, e: &'a Expr, object: &'a Expr, name: &str, name_span: wf_syntax::Span) -> Result<()> {
        if let Some(v) = e.dotted_name().and_then(|p| stdlib_value(&p)) {
            self.push_constant(v);
            return Ok(());
        }
        self.expr(object)?;
        let c = self.c.constant(Value::str(name));
        self.at(name_span);
        self.e.emit(Op::Field(c));
        Ok(())
    }

    /// The plain code of a binary operation other than `and`/`or`.
    fn binary(&mut self, e: &'a Expr) -> Result<()> {
        let ExprKind::Binary { op, op_span, lhs, rhs } = &e.kind else {
            return unsupported(e.span, "internal: not a binary operation");
        };
        self.expr(lhs)?;
        self.expr(rhs)?;
        self.at(*op_span);
        self.e.emit(Op::Binary(*op));
        Ok(())
    }

    /// A local variable's slot, if `e` is one (not a `shared` variable of a parallel step).
    fn local(&mut self, e: &'a Expr) -> Option<u32> {
        match &e.kind {
            ExprKind::Var(name) if !self.is_shared(name) => Some(self.slot(name)),
            _ => None,
        }
    }

    /// For `a OP b` whose operands are local variables (the right one may also be an integer
    /// that fits in 32 bits): emits the integer guard for `use_` ([`Op::IntOp`] or
    /// [`Op::IntBranch`]) and then the plain code of `a OP b` it skips. Returns the guard's
    /// index, or `None`, having emitted nothing, for any other expression.
    pub fn int_guard(&mut self, e: &'a Expr, use_: IntGuard) -> Result<Option<usize>> {
        let ExprKind::Binary { op, op_span, lhs, rhs } = &e.kind else {
            return Ok(None);
        };
        let usable = match use_ {
            IntGuard::JumpIfFalse => crate::ops::is_comparison(*op),
            IntGuard::Push | IntGuard::Store(_) => crate::ops::has_int_fast_path(*op),
        };
        if !usable {
            return Ok(None);
        }
        let Some(lhs_slot) = self.local(lhs) else { return Ok(None) };
        let (rhs, rhs_slot) = match &rhs.kind {
            ExprKind::Int(n) => match i32::try_from(*n) {
                Ok(n) => (n as u32, false),
                Err(_) => return Ok(None),
            },
            _ => match self.local(rhs) {
                Some(s) => (s, true),
                None => return Ok(None),
            },
        };
        self.at(*op_span);
        let (op, lhs) = (*op, lhs_slot);
        let guard = self.e.emit(match use_ {
            IntGuard::Push => Op::IntOp { op, lhs, rhs, rhs_slot, dst: NO_SLOT },
            IntGuard::Store(dst) => Op::IntOp { op, lhs, rhs, rhs_slot, dst },
            IntGuard::JumpIfFalse => Op::IntBranch { op, lhs, rhs, rhs_slot, target: u32::MAX },
        });
        self.binary(e)?;
        Ok(Some(guard))
    }

    fn call(&mut self, callee: &'a Expr, args: &'a [Expr], span: wf_syntax::Span) -> Result<()> {
        let Some(name) = callee.dotted_name() else {
            return unsupported(callee.span, "only named functions can be called");
        };
        if let Some(&(index, sub)) = self.c.subs.get(name.as_str()) {
            return self.sub_call(index, sub, &name, args, span);
        }
        for a in args {
            self.expr(a)?;
        }
        self.library_call(&name, callee.span, args.len())
    }

    /// A subworkflow called in an expression: positional arguments, then the defaults.
    fn sub_call(
        &mut self,
        index: u32,
        sub: &'a wf_syntax::ast::Subworkflow,
        name: &str,
        args: &'a [Expr],
        span: wf_syntax::Span,
    ) -> Result<()> {
        if args.len() > sub.params.len() {
            return unsupported(span, format!("`{name}` takes {} arguments", sub.params.len()));
        }
        for a in args {
            self.expr(a)?;
        }
        for p in &sub.params[args.len()..] {
            match &p.default {
                Some(d) => self.value(d)?,
                None => return unsupported(span, format!("missing argument `{}` for `{name}`", p.name.text)),
            }
        }
        self.at(span);
        self.e.emit(Op::CallSub { func: index, argc: sub.params.len() as u32 });
        Ok(())
    }

    /// A standard-library function or connector, its `argc` arguments pushed already.
    fn library_call(&mut self, name: &str, at: wf_syntax::Span, argc: usize) -> Result<()> {
        self.at(at);
        match wf_check::stdlib::function(name) {
            Some(f) if !f.blocking => {
                let Some(native) = self.c.native(f.name) else {
                    return unsupported(at, format!("`{name}` is not implemented by the VM yet"));
                };
                let present = if argc >= 32 { u32::MAX } else { (1u32 << argc) - 1 };
                self.e.emit(Op::CallNative { native, argc: argc as u32, present });
            }
            Some(f) => {
                let names = f.params.iter().take(argc).map(|p| Rc::from(p.name)).collect();
                self.effect(name, names);
            }
            None if wf_check::stdlib::is_connector(name) => {
                let names = (0..argc).map(|i| Rc::from(format!("arg{i}"))).collect();
                self.effect(name, names);
            }
            None => return unsupported(at, format!("unknown function `{name}`")),
        }
        Ok(())
    }

    fn effect(&mut self, name: &str, args: Vec<Rc<str>>) {
        self.c.program.effects.push(EffectSite { function: Rc::from(name), args });
        let site = (self.c.program.effects.len() - 1) as u32;
        self.e.emit(Op::Effect(site));
    }
}

fn unreachable_literal(v: &Data) -> Result<()> {
    unsupported(v.span, "internal: a literal value was not folded")
}
