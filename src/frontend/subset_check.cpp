// The NKI 0.3.0 language-subset check. The rules, and the evidence from production kernels behind
// each one, are in docs/subset.md: reject only what the 0.3.0 compiler rejects, at the construct's span.
#include "frontend/subset_check.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace nkic {

namespace {

using ast::CmpOpKind;
using ast::ConstKind;
using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

Span join(Span a, Span b) { return {a.line, a.col, b.end_line, b.end_col}; }

// A span covering `n` bytes from the start of `s` (a keyword at the start of a statement).
Span head(Span s, uint32_t n) { return {s.line, s.col, s.line, s.col + n}; }

// "neuronxcc.nki" or "neuronxcc.nki.<anything>": the pre-0.3.0 namespace.
bool is_legacy_nki(std::string_view dotted) {
  constexpr std::string_view kLegacy = "neuronxcc.nki";
  return dotted.substr(0, kLegacy.size()) == kLegacy &&
         (dotted.size() == kLegacy.size() || dotted[kLegacy.size()] == '.');
}

class Checker {
 public:
  Checker(const SourceRef& source, bool is_kernel) : src_(source), is_kernel_(is_kernel) {}

  std::vector<Diagnostic> run(const Stmt* def) {
    if (def->kind == StmtKind::AsyncFunctionDef)
      error(head(def->span, 5), "'async def' functions are not supported in NKI kernels",
            "NKI kernels run synchronously: remove 'async' (and any 'await')");
    if (is_kernel_ && def->args) signature(*def->args);
    block(def->body);
    return std::move(out_);
  }

 private:
  const SourceRef& src_;
  bool is_kernel_;
  std::vector<Diagnostic> out_;

  void report(Severity sev, Span s, std::string msg, std::string hint) {
    Diagnostic d;
    d.severity = sev;
    d.loc = {src_, s};
    d.message = std::move(msg);
    d.hint = std::move(hint);
    out_.push_back(std::move(d));
  }
  void error(Span s, std::string msg, std::string hint) { report(Severity::Error, s, std::move(msg), std::move(hint)); }

  // ---------------------------------------------------------------- source scanning
  // Spans of tokens the AST does not keep (`*`, `**`, `else`) are recovered from the text.

  // The last significant character before (line, col), skipping blanks, commas and comments;
  // returns false at the start of the file. `line`/`col` are updated to its position.
  bool prev_char(uint32_t& line, uint32_t& col, bool skip_commas) const {
    while (line >= 1) {
      std::string_view text = src_->line(line);
      size_t hash = text.find('#');  // signature lines hold no '#' inside strings in practice
      size_t end = std::min<size_t>(col, hash == std::string_view::npos ? text.size() : hash);
      while (end > 0) {
        char c = text[end - 1];
        if (c == ' ' || c == '\t' || c == '\f' || c == '\\' || (skip_commas && c == ',')) {
          --end;
          continue;
        }
        col = static_cast<uint32_t>(end - 1);
        return true;
      }
      if (line == 1) return false;
      --line;
      col = UINT32_MAX;
    }
    return false;
  }

  // The span of the `*` (or `**`) written before parameter `p`; p's own span if not found.
  Span star_before(Span p, int stars, bool skip_commas) const {
    uint32_t line = p.line, col = p.col;
    if (!prev_char(line, col, skip_commas)) return p;
    std::string_view text = src_->line(line);
    if (text[col] != '*') return p;
    uint32_t begin = col;
    if (stars == 2 && begin > 0 && text[begin - 1] == '*') --begin;
    return {line, begin, line, col + 1};
  }

  // The `else` keyword of a for/while statement: the first line between the loop body and the
  // `else` block that starts with `else` at the loop's own indentation.
  Span else_keyword(const Stmt* loop) const {
    const Stmt* first = loop->orelse.front();
    if (!first) return head(loop->span, loop->kind == StmtKind::While ? 5 : 3);
    for (uint32_t line = first->span.line; line > loop->span.line; --line) {
      std::string_view text = src_->line(line);
      if (text.size() >= loop->span.col + 4 && text.substr(loop->span.col, 4) == "else" &&
          text.find_first_not_of(" \t") == loop->span.col)
        return {line, loop->span.col, line, loop->span.col + 4};
    }
    return head(loop->span, loop->kind == StmtKind::While ? 5 : 3);
  }

  // ---------------------------------------------------------------- signature (kernel only)

  void signature(const ast::Arguments& a) {
    if (a.vararg) {
      Span s = star_before(a.vararg->span, 1, false);
      error(join(s, a.vararg->span),
            "'*" + a.vararg->name + "' (variable positional parameters) is not supported in a kernel signature",
            "name each input as its own parameter, or pass a tuple or list as one argument");
    } else if (!a.kwonlyargs.empty()) {
      const ast::Arg& first = a.kwonlyargs.front();
      error(star_before(first.span, 1, true),
            "keyword-only parameters ('*' separator) are not supported in a kernel signature in NKI 0.3.0",
            "remove the '*' so '" + first.name +
                "' becomes an ordinary parameter (callers may still pass it by keyword)");
    }
    if (a.kwarg) {
      Span s = star_before(a.kwarg->span, 2, false);
      error(join(s, a.kwarg->span),
            "'**" + a.kwarg->name + "' (variable keyword parameters) is not supported in a kernel signature",
            "declare each keyword argument as a named parameter with a default value");
    }
  }

  // ---------------------------------------------------------------- statements

  void block(const std::vector<Stmt*>& body) {
    for (const Stmt* s : body)
      if (s) stmt(s);
  }

  void stmt(const Stmt* s) {
    switch (s->kind) {
      case StmtKind::FunctionDef:
      case StmtKind::AsyncFunctionDef:
        // A nested def's body is checked when the kernel calls it; its decorators and defaults
        // run here, in the enclosing function.
        if (s->kind == StmtKind::AsyncFunctionDef)
          error(head(s->span, 5), "'async def' functions are not supported in NKI kernels",
                "NKI kernels run synchronously: remove 'async' (and any 'await')");
        exprs(s->decorators);
        if (s->args) {
          exprs(s->args->defaults);
          exprs(s->args->kw_defaults);
        }
        return;
      case StmtKind::ClassDef:
        exprs(s->decorators);
        exprs(s->bases);
        return;
      case StmtKind::Return: expr(s->value); return;
      case StmtKind::Delete:
        error(s->span, "'del' statements are not supported in NKI kernels",
              "drop the 'del': rebind the name instead, or remove items with list.pop() / dict.pop()");
        return;
      case StmtKind::Assign:
        exprs(s->targets);
        expr(s->value);
        return;
      case StmtKind::AugAssign:
        if (s->op == ast::BinOpKind::MatMult)
          error(s->span, "the '@=' operator is not supported in NKI kernels",
                "multiply matrices with nisa.nc_matmul into a PSUM tile");
        expr(s->target);
        expr(s->value);
        return;
      case StmtKind::AnnAssign:
        expr(s->target);
        expr(s->value);
        return;
      case StmtKind::For:
      case StmtKind::While:
        if (s->kind == StmtKind::For) {
          expr(s->target);
          expr(s->iter);
        } else {
          expr(s->test);
        }
        block(s->body);
        if (!s->orelse.empty()) {
          const char* kw = s->kind == StmtKind::For ? "for" : "while";
          error(else_keyword(s), std::string("'") + kw + " ... else' is not supported in NKI kernels",
                "set a flag before 'break' and test it after the loop instead of using 'else'");
          block(s->orelse);
        }
        return;
      case StmtKind::AsyncFor:
        error(head(s->span, 5), "'async for' is not supported in NKI kernels", "use a plain 'for' loop");
        return;
      case StmtKind::If:
        expr(s->test);
        block(s->body);
        block(s->orelse);
        return;
      case StmtKind::With:
        for (const auto& item : s->items) {
          expr(item.context_expr);
          expr(item.optional_vars);
        }
        block(s->body);
        return;
      case StmtKind::AsyncWith:
        error(head(s->span, 5), "'async with' is not supported in NKI kernels",
              "use a plain 'with' (NKI kernels run synchronously)");
        return;
      case StmtKind::Match:
        error(head(s->span, 5), "'match' statements are not supported in NKI kernels", "use an if/elif/else chain");
        return;
      case StmtKind::Raise:  // a compile-time error when reached (production kernels use it)
        expr(s->exc);
        expr(s->cause);
        return;
      case StmtKind::Try:  // compile-time code catches Python exceptions (nki-library's logging helper)
        block(s->body);
        for (const auto& h : s->handlers) {
          expr(h.type);
          block(h.body);
        }
        block(s->orelse);
        block(s->finalbody);
        return;
      case StmtKind::TryStar:
        error(head(s->span, 3), "'try' statements are not supported in NKI kernels",
              "'except*' handles exception groups, which compile-time code never raises: use a plain 'except'");
        return;
      case StmtKind::Assert:
        expr(s->test);
        expr(s->msg);
        return;
      case StmtKind::Import:
        for (const auto& a : s->names) {
          if (is_legacy_nki(a.name)) {
            legacy_import(a.span, a.name);
          } else {
            error(s->span, "'import' inside a kernel function is not supported",
                  "move the import to the top of the file");
            return;
          }
        }
        return;
      case StmtKind::ImportFrom:
        if (s->level == 0 && is_legacy_nki(s->module))
          legacy_import(s->span, s->module);
        else
          error(s->span, "'import' inside a kernel function is not supported",
                "move the import to the top of the file");
        return;
      case StmtKind::Global:
      case StmtKind::Nonlocal:
        error(s->span,
              std::string("'") + (s->kind == StmtKind::Global ? "global" : "nonlocal") +
                  "' statements are not supported in NKI kernels",
              "pass the value in as an argument and return the new value");
        return;
      case StmtKind::ExprStmt: expr(s->value); return;
      case StmtKind::Pass:
      case StmtKind::Break:
      case StmtKind::Continue: return;
    }
  }

  // Same wording as the tracer's warning for module-level legacy imports (trace/interpreter.cpp).
  void legacy_import(Span s, const std::string& dotted) {
    std::string repl = "nki" + dotted.substr(std::string_view("neuronxcc.nki").size());
    report(Severity::Warning, s, "'" + dotted + "' is the legacy NKI namespace", "use '" + repl + "' (NKI 0.3.0)");
  }

  // ---------------------------------------------------------------- expressions

  void exprs(const std::vector<Expr*>& es) {
    for (const Expr* e : es) expr(e);
  }

  void expr(const Expr* e) {
    if (!e) return;
    switch (e->kind) {
      case ExprKind::Lambda:
        error(e->span, "'lambda' is not supported in NKI kernels",
              "define the function with 'def' and pass it by name");
        return;  // its body is reported through the def the user writes instead
      case ExprKind::ListComp:
        error(e->span, "list comprehensions are not supported in NKI kernels",
              "build the list with a 'for' loop and .append()");
        return;
      case ExprKind::SetComp:
        error(e->span, "set comprehensions are not supported in NKI kernels",
              "build a list with a 'for' loop (sets are not NKI values)");
        return;
      case ExprKind::DictComp:
        error(e->span, "dict comprehensions are not supported in NKI kernels",
              "build the dict with a 'for' loop: d = {} then d[key] = value");
        return;
      case ExprKind::GeneratorExp:
        error(e->span, "generator expressions are not supported in NKI kernels", "compute the value with a 'for' loop");
        return;
      case ExprKind::NamedExpr:
        error(e->span, "assignment expressions (':=') are not supported in NKI kernels",
              "assign the value with '=' on its own line first");
        expr(e->b);
        return;
      case ExprKind::Set:
        error(e->span, "set literals are not supported in NKI kernels", "use a tuple or a list");
        exprs(e->elts);
        return;
      case ExprKind::Await:
        error(e->span, "'await' is not supported in NKI kernels", "NKI kernels run synchronously: remove 'await'");
        return;
      case ExprKind::Yield:
      case ExprKind::YieldFrom:
        error(e->span, "'yield' is not supported in NKI kernels", "collect the values in a list and return it");
        return;
      case ExprKind::BinOp:
        if (e->binop == ast::BinOpKind::MatMult)
          error(e->span, "the '@' operator is not supported in NKI kernels",
                "multiply matrices with nisa.nc_matmul into a PSUM tile");
        expr(e->a);
        expr(e->b);
        return;
      case ExprKind::Compare:  // `is` between any values is identity, as in Python: the 0.3.0 docs allow only
                               // `is None`, but nki-library's own test kernels compare objects with `is`
        expr(e->a);
        for (const Expr* rhs : e->elts) expr(rhs);
        return;
      case ExprKind::Dict:
        exprs(e->keys);
        exprs(e->elts);
        return;
      case ExprKind::Call:
        expr(e->a);
        exprs(e->elts);
        for (const auto& kw : e->keywords) expr(kw.value);
        return;
      case ExprKind::FormattedValue:
        expr(e->a);
        expr(e->b);
        return;
      case ExprKind::BoolOp:
      case ExprKind::JoinedStr:
      case ExprKind::List:
      case ExprKind::Tuple: exprs(e->elts); return;
      case ExprKind::UnaryOp:
      case ExprKind::Attribute:
      case ExprKind::Starred: expr(e->a); return;
      case ExprKind::IfExp:
      case ExprKind::Subscript:
      case ExprKind::Slice:
        expr(e->a);
        expr(e->b);
        expr(e->c);
        return;
      case ExprKind::Constant:
      case ExprKind::Name: return;
    }
  }
};

}  // namespace

std::vector<Diagnostic> check_subset(const ast::Stmt* def, const SourceRef& source, bool is_kernel) {
  if (!def || !source) return {};
  return Checker(source, is_kernel).run(def);
}

}  // namespace nkic
