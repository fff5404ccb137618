//! `${...}` expressions: lexer, parser, AST and printer.
//!
//! The grammar is written down in `grammar/expr.ebnf`; [`BinaryOp::ALL`] is the operator
//! table that a test keeps in sync with it.

mod ast;
mod lexer;
mod parser;
mod printer;
mod template;

pub use ast::{BinaryOp, Expr, ExprKind, UnaryOp};
pub use lexer::{TextToken, TokenClass, scan};
pub use parser::{MAX_DEPTH, parse_expression, parse_place};
pub use template::{Template, expression_end, parse_template};
