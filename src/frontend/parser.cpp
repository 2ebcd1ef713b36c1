// Recursive-descent parser for Python 3.11 with a precedence table for the binary operators.
// Spans follow CPython's ast exactly (see tests/frontend/ast_dump.py and the corpus test).
#include "frontend/parser.h"

#include <algorithm>
#include <cstring>

#include "frontend/lexer.h"

namespace nkic {

namespace {

using namespace ast;
using lex::Tok;
using lex::Token;

// Thrown to abandon the current statement; the diagnostic (if any) is already recorded.
struct ParseError {};

Span join(Span a, Span b) { return Span{a.line, a.col, b.end_line, b.end_col}; }

// ---- operator tables ----

struct BinOpInfo {
  Tok tok;
  BinOpKind op;
  int prec;  // higher binds tighter
};

constexpr BinOpInfo kBinOps[] = {
    {Tok::VBar, BinOpKind::BitOr, 1},        {Tok::Circumflex, BinOpKind::BitXor, 2},
    {Tok::Amper, BinOpKind::BitAnd, 3},      {Tok::LeftShift, BinOpKind::LShift, 4},
    {Tok::RightShift, BinOpKind::RShift, 4}, {Tok::Plus, BinOpKind::Add, 5},
    {Tok::Minus, BinOpKind::Sub, 5},         {Tok::Star, BinOpKind::Mult, 6},
    {Tok::Slash, BinOpKind::Div, 6},         {Tok::DoubleSlash, BinOpKind::FloorDiv, 6},
    {Tok::Percent, BinOpKind::Mod, 6},       {Tok::At, BinOpKind::MatMult, 6},
};

struct AugInfo {
  Tok tok;
  BinOpKind op;
};

constexpr AugInfo kAugOps[] = {
    {Tok::PlusEqual, BinOpKind::Add},
    {Tok::MinEqual, BinOpKind::Sub},
    {Tok::StarEqual, BinOpKind::Mult},
    {Tok::AtEqual, BinOpKind::MatMult},
    {Tok::SlashEqual, BinOpKind::Div},
    {Tok::PercentEqual, BinOpKind::Mod},
    {Tok::AmperEqual, BinOpKind::BitAnd},
    {Tok::VBarEqual, BinOpKind::BitOr},
    {Tok::CircumflexEqual, BinOpKind::BitXor},
    {Tok::LeftShiftEqual, BinOpKind::LShift},
    {Tok::RightShiftEqual, BinOpKind::RShift},
    {Tok::DoubleStarEqual, BinOpKind::Pow},
    {Tok::DoubleSlashEqual, BinOpKind::FloorDiv},
};

struct CmpInfo {
  Tok tok;
  CmpOpKind op;
};

constexpr CmpInfo kCmpOps[] = {
    {Tok::EqEqual, CmpOpKind::Eq},    {Tok::NotEqual, CmpOpKind::NotEq}, {Tok::Less, CmpOpKind::Lt},
    {Tok::LessEqual, CmpOpKind::LtE}, {Tok::Greater, CmpOpKind::Gt},     {Tok::GreaterEqual, CmpOpKind::GtE},
};

struct OpTables {
  int8_t binop[256];  // index into kBinOps, -1 if none
  int8_t augop[256];
  int8_t cmpop[256];
  OpTables() {
    std::memset(binop, -1, sizeof binop);
    std::memset(augop, -1, sizeof augop);
    std::memset(cmpop, -1, sizeof cmpop);
    for (size_t i = 0; i < sizeof kBinOps / sizeof kBinOps[0]; ++i)
      binop[static_cast<int>(kBinOps[i].tok)] = static_cast<int8_t>(i);
    for (size_t i = 0; i < sizeof kAugOps / sizeof kAugOps[0]; ++i)
      augop[static_cast<int>(kAugOps[i].tok)] = static_cast<int8_t>(i);
    for (size_t i = 0; i < sizeof kCmpOps / sizeof kCmpOps[0]; ++i)
      cmpop[static_cast<int>(kCmpOps[i].tok)] = static_cast<int8_t>(i);
  }
};

const OpTables& op_tables() {
  static const OpTables t;
  return t;
}

// CPython's description of an expression in error messages ("cannot assign to function call").
const char* expr_name(const Expr* e) {
  switch (e->kind) {
    case ExprKind::Attribute: return "attribute";
    case ExprKind::Subscript: return "subscript";
    case ExprKind::Starred: return "starred";
    case ExprKind::Name: return "name";
    case ExprKind::List: return "list";
    case ExprKind::Tuple: return "tuple";
    case ExprKind::Lambda: return "lambda";
    case ExprKind::Call: return "function call";
    case ExprKind::BoolOp:
    case ExprKind::BinOp:
    case ExprKind::UnaryOp: return "expression";
    case ExprKind::GeneratorExp: return "generator expression";
    case ExprKind::Yield:
    case ExprKind::YieldFrom: return "yield expression";
    case ExprKind::Await: return "await expression";
    case ExprKind::ListComp: return "list comprehension";
    case ExprKind::SetComp: return "set comprehension";
    case ExprKind::DictComp: return "dict comprehension";
    case ExprKind::Dict: return "dict literal";
    case ExprKind::Set: return "set display";
    case ExprKind::JoinedStr:
    case ExprKind::FormattedValue: return "f-string expression";
    case ExprKind::Constant:
      switch (e->ckind) {
        case ConstKind::None: return "None";
        case ConstKind::Bool: return e->bval ? "True" : "False";
        case ConstKind::Ellipsis: return "ellipsis";
        default: return "literal";
      }
    case ExprKind::Compare: return "comparison";
    case ExprKind::IfExp: return "conditional expression";
    case ExprKind::NamedExpr: return "named expression";
    case ExprKind::Slice: return "slice";
  }
  return "expression";
}

enum class TargetUse { Assign, AugAssign, For, Del, With, Comp };

class Parser {
 public:
  Parser(SourceRef src, std::vector<Diagnostic>& diags, Module& m, std::vector<Token> toks, int depth = 0)
      : src_(std::move(src)), text_(src_->text()), diags_(diags), m_(m), toks_(std::move(toks)), depth_(depth) {}

  std::vector<Stmt*> file() {
    std::vector<Stmt*> body;
    statements(body, Tok::EndMarker);
    return body;
  }

  // The expression of an f-string replacement field, parsed as CPython does: as "(expr)" where
  // `(` sits at `open` and `)` at `close`.
  Expr* parse_fstring_field(Span open, Span close) {
    try {
      fstring_open_ = open;
      fstring_close_ = close;
      fstring_mode_ = true;
      Expr* e = paren_body(open, Tok::EndMarker);
      return e;
    } catch (ParseError&) {
      return nullptr;
    }
  }

 private:
  SourceRef src_;
  const std::string& text_;
  std::vector<Diagnostic>& diags_;
  Module& m_;
  std::vector<Token> toks_;
  size_t p_ = 0;
  int depth_ = 0;
  Span fstring_open_, fstring_close_;
  bool fstring_mode_ = false;  // parsing an f-string replacement field: errors say "f-string: ..."
  // Token range of the last disjunction parsed (for CPython's "Perhaps you forgot a comma?").
  size_t last_disj_begin_ = 0, last_disj_end_ = SIZE_MAX;

  // ---- token access ----
  const Token& cur() const { return toks_[p_]; }
  Tok k() const { return toks_[p_].kind; }
  Tok k_at(size_t off) const { return toks_[std::min(p_ + off, toks_.size() - 1)].kind; }
  const Token& next() {
    const Token& t = toks_[p_];
    if (p_ + 1 < toks_.size()) ++p_;
    return t;
  }
  bool accept(Tok t) {
    if (k() != t) return false;
    next();
    return true;
  }
  Span prev_span() const { return p_ > 0 ? toks_[p_ - 1].span : toks_[0].span; }
  std::string_view text(const Token& t) const { return std::string_view(text_).substr(t.begin, t.end - t.begin); }
  // A NAME token's identifier, NFKC-normalised as CPython does for non-ASCII names.
  std::string ident(const Token& t) const {
    std::string_view s = text(t);
    for (char c : s)
      if (static_cast<unsigned char>(c) >= 0x80) return lex::normalize_identifier(s);
    return std::string(s);
  }
  bool is_soft(const char* kw, size_t off = 0) const {
    const Token& t = toks_[std::min(p_ + off, toks_.size() - 1)];
    return t.kind == Tok::Name && text(t) == kw;
  }

  // ---- errors ----
  [[noreturn]] void fail(Span sp, std::string msg) {
    Diagnostic d;
    d.loc = Location{src_, sp};
    d.message = fstring_mode_ && msg.rfind("f-string", 0) != 0 ? "f-string: " + msg : std::move(msg);
    diags_.push_back(std::move(d));
    throw ParseError{};
  }
  [[noreturn]] void fail_here(const char* msg = "invalid syntax") {
    const Token& t = cur();
    if (t.kind == Tok::Error) throw ParseError{};  // already reported by the lexer
    if (t.kind == Tok::Indent) fail(t.span, "unexpected indent");
    if (std::strcmp(msg, "invalid syntax") == 0) comma_hint();
    if (t.kind == Tok::Dedent && !at_eof() && std::strcmp(msg, "invalid syntax") == 0)
      fail(t.span, "unexpected unindent");
    fail(here(), msg);
  }
  // Only DEDENTs and the ENDMARKER remain.
  bool at_eof() const {
    for (size_t i = p_; i < toks_.size(); ++i)
      if (toks_[i].kind != Tok::Dedent && toks_[i].kind != Tok::EndMarker) return false;
    return true;
  }
  // Where to report an error at the current token (the lexer places EOF tokens where CPython
  // reports EOF errors: after the last character of the file).
  Span here() const { return cur().span; }
  const Token& expect(Tok t) {
    if (k() != t) {
      if (t == Tok::Colon && k() == Tok::Newline) fail_here("expected ':'");
      if (t == Tok::LPar && k() != Tok::Error) fail_here("expected '('");
      fail_here();
    }
    return next();
  }
  // CPython's invalid_expression rule: inside brackets, an expression (disjunction) directly followed
  // by another one is reported as a missing comma, from the start of the first.
  void comma_hint() {
    if (p_ != last_disj_end_ || cur().level == 0 || !starts_expr(k()) || k() == Tok::Star) return;
    const Token& a = toks_[last_disj_begin_];
    if (a.kind == Tok::Name) {
      std::string_view name = text(a);
      // CPython's soft-keyword test compares only len(name) characters, so any prefix of a soft
      // keyword ("m", "ca", ...) suppresses the hint too.
      auto soft_prefix = [&](std::string_view kw) {
        return name.size() <= kw.size() && kw.substr(0, name.size()) == name;
      };
      if (toks_[last_disj_begin_ + 1].kind == Tok::String || soft_prefix("match") || soft_prefix("case") ||
          soft_prefix("_"))
        return;
      if (last_disj_begin_ + 1 == p_ && (name == "print" || name == "exec")) return;  // legacy statements
    }
    fail(join(a.span, cur().span), "invalid syntax. Perhaps you forgot a comma?");
  }
  // Expecting the closing bracket `closer`.
  const Token& expect_close(Tok closer, const Expr*) {
    if (k() == closer) return next();
    fail_here();
  }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& pp) : p(pp) {
      if (++p.depth_ > 1200) {
        --p.depth_;
        p.fail(p.cur().span, "too many nested expressions");
      }
    }
    ~DepthGuard() { --p.depth_; }
  };

  // Left-nested chains (a + b + c ..., f(x)(y)...) build deep trees without recursing here; keep
  // the tree depth bounded (CPython's ast construction fails beyond ~3000 levels too).
  void check_chain(int chain) {
    if (depth_ + chain > 3000) fail(cur().span, "too many nested expressions");
  }

  // ---- node construction ----
  Expr* node(ExprKind k, Span s) { return m_.new_expr(k, s); }
  Stmt* stmt(StmtKind k, Span s) { return m_.new_stmt(k, s); }

  static bool starts_expr(Tok t) {
    switch (t) {
      case Tok::Name:
      case Tok::Number:
      case Tok::String:
      case Tok::LPar:
      case Tok::LSqb:
      case Tok::LBrace:
      case Tok::Minus:
      case Tok::Plus:
      case Tok::Tilde:
      case Tok::Not:
      case Tok::Lambda:
      case Tok::Await:
      case Tok::None:
      case Tok::True:
      case Tok::False:
      case Tok::Ellipsis:
      case Tok::Star: return true;
      default: return false;
    }
  }

  // ======================================================================================
  // Statements
  // ======================================================================================

  void statements(std::vector<Stmt*>& out, Tok until) {
    while (k() != until && k() != Tok::EndMarker) {
      size_t before = p_, ndiag = diags_.size();
      try {
        statement(out);
      } catch (ParseError&) {
        // Safety net: every failure must leave a diagnostic (silent ones rely on a lexer error).
        bool lexer_error = false;
        for (size_t i = before; i <= p_ && i < toks_.size(); ++i) lexer_error |= toks_[i].kind == Tok::Error;
        if (diags_.size() == ndiag && !lexer_error) {
          Diagnostic d;
          d.loc = Location{src_, cur().span};
          d.message = "invalid syntax";
          diags_.push_back(std::move(d));
        }
        recover(before);
      }
      if (p_ == before) next();  // guarantee progress
    }
  }

  // Skips the rest of a failed statement (and an indented block after it). A failure at the start
  // of a later line (e.g. a missing indented block) leaves that line to be parsed again.
  void recover(size_t stmt_start) {
    bool at_line_start = p_ > stmt_start && (toks_[p_ - 1].kind == Tok::Newline || toks_[p_ - 1].kind == Tok::Dedent ||
                                             toks_[p_ - 1].kind == Tok::Indent);
    if (!(at_line_start && k() != Tok::Indent)) {
      while (k() != Tok::Newline && k() != Tok::EndMarker && k() != Tok::Indent && k() != Tok::Dedent) next();
      accept(Tok::Newline);
    }
    if (k() == Tok::Indent) {
      int depth = 0;
      do {
        if (k() == Tok::Indent)
          ++depth;
        else if (k() == Tok::Dedent)
          --depth;
        next();
      } while (depth > 0 && k() != Tok::EndMarker);
    }
  }

  void statement(std::vector<Stmt*>& out) {
    switch (k()) {
      case Tok::Def: out.push_back(funcdef({}, false)); return;
      case Tok::If: out.push_back(if_stmt(false)); return;
      case Tok::Class: out.push_back(classdef({})); return;
      case Tok::With: out.push_back(with_stmt(false)); return;
      case Tok::For: out.push_back(for_stmt(false)); return;
      case Tok::Try: out.push_back(try_stmt()); return;
      case Tok::While: out.push_back(while_stmt()); return;
      case Tok::At: out.push_back(decorated()); return;
      case Tok::Async: {
        Tok n = k_at(1);
        if (n == Tok::Def)
          out.push_back(funcdef({}, true));
        else if (n == Tok::With)
          out.push_back(with_stmt(true));
        else if (n == Tok::For)
          out.push_back(for_stmt(true));
        else
          fail_here();
        return;
      }
      case Tok::Indent: fail_here();
      case Tok::Name:
        if (is_soft("match")) {
          if (looks_like_match()) {
            out.push_back(match_stmt());
            return;
          }
          size_t save = p_, ndiag = diags_.size();
          try {
            simple_stmts(out);
          } catch (ParseError&) {
            // CPython's invalid_match_stmt: `match <subject>` NEWLINE -> "expected ':'".
            size_t fail_at = p_, after_fail = diags_.size();
            p_ = save + 1;
            bool missing_colon = false;
            try {
              star_named_expression();
              while (accept(Tok::Comma) && k() != Tok::Newline) star_named_expression();
              missing_colon = k() == Tok::Newline;
            } catch (ParseError&) {
            }
            if (missing_colon) {
              diags_.resize(ndiag);
              fail(cur().span, "expected ':'");
            }
            diags_.resize(after_fail);
            p_ = fail_at;
            throw;
          }
          return;
        }
        break;
      default: break;
    }
    simple_stmts(out);
  }

  void simple_stmts(std::vector<Stmt*>& out) {
    for (;;) {
      out.push_back(simple_stmt());
      const Stmt* last = out.back();
      if (last->kind == StmtKind::ExprStmt && last->value->kind == ExprKind::Name && starts_expr(k()) &&
          (last->value->str == "print" || last->value->str == "exec"))
        fail(join(last->span, cur().span),
             "Missing parentheses in call to '" + last->value->str + "'. Did you mean " + last->value->str + "(...)?");
      if (accept(Tok::Semi)) {
        if (k() == Tok::Newline) break;
        continue;
      }
      break;
    }
    if (k() != Tok::Newline) fail_here();
    next();
  }

  Stmt* simple_stmt() {
    const Token& t = cur();
    switch (t.kind) {
      case Tok::Pass: next(); return stmt(StmtKind::Pass, t.span);
      case Tok::Break: next(); return stmt(StmtKind::Break, t.span);
      case Tok::Continue: next(); return stmt(StmtKind::Continue, t.span);
      case Tok::Return: {
        next();
        Expr* v = starts_expr(k()) ? star_expressions() : nullptr;
        Stmt* s = stmt(StmtKind::Return, join(t.span, prev_span()));
        s->value = v;
        return s;
      }
      case Tok::Import: return import_name();
      case Tok::From: return import_from();
      case Tok::Raise: {
        next();
        Stmt* s = stmt(StmtKind::Raise, t.span);
        if (starts_expr(k()) && k() != Tok::Star) {
          s->exc = expression();
          if (accept(Tok::From)) s->cause = expression();
        }
        s->span = join(t.span, prev_span());
        return s;
      }
      case Tok::Global:
      case Tok::Nonlocal: {
        next();
        Stmt* s = stmt(t.kind == Tok::Global ? StmtKind::Global : StmtKind::Nonlocal, t.span);
        do {
          if (k() != Tok::Name) fail_here();
          s->identifiers.push_back(ident(next()));
        } while (accept(Tok::Comma));
        s->span = join(t.span, prev_span());
        return s;
      }
      case Tok::Del: return del_stmt();
      case Tok::Assert: {
        next();
        Stmt* s = stmt(StmtKind::Assert, t.span);
        s->test = expression();
        if (accept(Tok::Comma)) s->msg = expression();
        s->span = join(t.span, prev_span());
        return s;
      }
      default: return expr_or_assign();
    }
  }

  Expr* yield_or_star_expressions() { return k() == Tok::Yield ? yield_expr() : star_expressions(); }

  Stmt* expr_or_assign() {
    const Token& first = cur();
    Span start = first.span;
    Expr* e = yield_or_star_expressions();
    Tok t = k();
    if (t == Tok::Colon) {  // annotated assignment
      next();
      Expr* annotation = expression();  // CPython checks the target only once the annotation parsed
      if (e->kind == ExprKind::Tuple) fail(e->span, "only single target (not tuple) can be annotated");
      if (e->kind == ExprKind::List) fail(e->span, "only single target (not list) can be annotated");
      if (e->kind != ExprKind::Name && e->kind != ExprKind::Attribute && e->kind != ExprKind::Subscript)
        fail(e->span, "illegal target for annotation");
      set_ctx(e, ExprContext::Store, TargetUse::Assign);
      Stmt* s = stmt(StmtKind::AnnAssign, e->span);
      s->target = e;
      s->annotation = annotation;
      s->simple = e->kind == ExprKind::Name && first.kind != Tok::LPar;
      if (accept(Tok::Equal)) s->value = yield_or_star_expressions();
      s->span = join(start, prev_span());
      return s;
    }
    int aug = op_tables().augop[static_cast<int>(t)];
    if (aug >= 0) {
      if (e->kind != ExprKind::Name && e->kind != ExprKind::Attribute && e->kind != ExprKind::Subscript)
        fail(e->span, std::string("'") + expr_name(e) + "' is an illegal expression for augmented assignment");
      next();
      set_ctx(e, ExprContext::Store, TargetUse::AugAssign);
      Stmt* s = stmt(StmtKind::AugAssign, e->span);
      s->target = e;
      s->op = kAugOps[aug].op;
      s->value = yield_or_star_expressions();
      s->span = join(start, prev_span());
      return s;
    }
    if (t == Tok::Equal) {
      Stmt* s = stmt(StmtKind::Assign, e->span);
      s->targets.push_back(e);
      std::vector<bool> paren{first.kind == Tok::LPar};
      Expr* value = nullptr;
      bool value_paren = false;
      while (accept(Tok::Equal)) {
        bool p = k() == Tok::LPar;
        value_paren = p;
        value = yield_or_star_expressions();
        if (k() == Tok::Equal) {
          s->targets.push_back(value);
          paren.push_back(p);
        }
      }
      if (s->targets.size() == 1) check_single_assignment(s->targets[0], paren[0], value, value_paren);
      for (size_t i = 0; i < s->targets.size(); ++i) assign_target(s->targets[i], paren[i]);
      s->value = value;
      s->span = join(start, prev_span());
      return s;
    }
    if (t == Tok::ColonEqual && e->kind != ExprKind::Name)
      fail(e->span, std::string("cannot use assignment expressions with ") + expr_name(e));
    Stmt* s = stmt(StmtKind::ExprStmt, join(start, prev_span()));
    s->value = e;
    return s;
  }

  // A bitwise_or-level expression (what CPython's invalid_named_expression rule can match).
  static bool is_bitwise_or_level(const Expr* e) {
    switch (e->kind) {
      case ExprKind::BoolOp:
      case ExprKind::Compare:
      case ExprKind::IfExp:
      case ExprKind::Lambda:
      case ExprKind::NamedExpr:
      case ExprKind::Yield:
      case ExprKind::YieldFrom:
      case ExprKind::Starred: return false;
      case ExprKind::UnaryOp: return e->unaryop != UnaryOpKind::Not;
      default: return true;
    }
  }

  // The first sub-expression of target `e` that cannot be assigned to, or nullptr.
  static const Expr* invalid_target(const Expr* e) {
    switch (e->kind) {
      case ExprKind::Name:
      case ExprKind::Attribute:
      case ExprKind::Subscript: return nullptr;
      case ExprKind::Starred: return invalid_target(e->a);
      case ExprKind::List:
      case ExprKind::Tuple:
        for (const Expr* x : e->elts)
          if (const Expr* bad = invalid_target(x)) return bad;
        return nullptr;
      default: return e;
    }
  }

  // CPython's invalid_named_expression, which fires first for a single-`=` assignment whose target
  // (or the last element of its unparenthesized tuple) directly precedes the `=`.
  void check_single_assignment(Expr* tg, bool parenthesized, const Expr* value, bool value_paren) {
    if (!invalid_target(tg)) return;
    const Expr* adjacent = tg;
    if (tg->kind == ExprKind::Tuple && !parenthesized && !tg->elts.empty()) adjacent = tg->elts.back();
    const Expr* v = value;
    if (v->kind == ExprKind::Tuple && !v->elts.empty() && v->span.line == v->elts[0]->span.line &&
        v->span.col == v->elts[0]->span.col)
      v = v->elts[0];                                     // unparenthesized tuple: its first element follows the `=`
    if (!value_paren && !is_bitwise_or_level(v)) return;  // a parenthesized value is an atom
    if (adjacent->kind == ExprKind::Name)
      fail(adjacent->span, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
    bool excluded = adjacent->kind == ExprKind::List || adjacent->kind == ExprKind::Tuple ||
                    adjacent->kind == ExprKind::GeneratorExp ||
                    (adjacent->kind == ExprKind::Constant &&
                     (adjacent->ckind == ConstKind::None || adjacent->ckind == ConstKind::Bool));
    if (!excluded && is_bitwise_or_level(adjacent))
      fail(adjacent->span,
           std::string("cannot assign to ") + expr_name(adjacent) + " here. Maybe you meant '==' instead of '='?");
  }

  void assign_target(Expr* tg, bool parenthesized) {
    if ((tg->kind == ExprKind::Yield || tg->kind == ExprKind::YieldFrom) && !parenthesized)
      fail(tg->span, "assignment to yield expression not possible");
    set_ctx(tg, ExprContext::Store, TargetUse::Assign);
  }

  // Marks `e` as an assignment/deletion target, or reports why it cannot be one.
  void set_ctx(Expr* e, ExprContext ctx, TargetUse use) {
    switch (e->kind) {
      case ExprKind::Name:
      case ExprKind::Attribute:
      case ExprKind::Subscript: e->ctx = ctx; return;
      case ExprKind::Starred:
        if (use == TargetUse::Del) fail(e->span, "cannot delete starred");
        e->ctx = ctx;
        set_ctx(e->a, ctx, use);
        return;
      case ExprKind::List:
      case ExprKind::Tuple:
        e->ctx = ctx;
        for (Expr* x : e->elts) set_ctx(x, ctx, use);
        return;
      default: break;
    }
    if (use == TargetUse::Del) fail(e->span, std::string("cannot delete ") + expr_name(e));
    fail(e->span, std::string("cannot assign to ") + expr_name(e));
  }

  Stmt* del_stmt() {
    const Token& t = next();
    Stmt* s = stmt(StmtKind::Delete, t.span);
    do {
      if (!starts_expr(k())) {
        if (s->targets.empty()) fail_here();
        break;
      }
      Expr* e = target_item();
      set_ctx(e, ExprContext::Del, TargetUse::Del);
      s->targets.push_back(e);
    } while (accept(Tok::Comma));
    if (k() != Tok::Semi && k() != Tok::Newline) fail_here();
    s->span = join(t.span, prev_span());
    return s;
  }

  // dotted_name: NAME ('.' NAME)*
  std::string dotted_name() {
    if (k() != Tok::Name) fail_here();
    std::string name = ident(next());
    while (k() == Tok::Dot) {
      next();
      if (k() != Tok::Name) fail_here();
      name += '.';
      name += ident(next());
    }
    return name;
  }

  Stmt* import_name() {
    const Token& t = next();
    Stmt* s = stmt(StmtKind::Import, t.span);
    do {
      Span start = cur().span;
      Alias a;
      a.name = dotted_name();
      if (accept(Tok::As)) {
        if (k() != Tok::Name) fail_here();
        a.asname = ident(next());
      }
      a.span = join(start, prev_span());
      s->names.push_back(std::move(a));
    } while (accept(Tok::Comma));
    s->span = join(t.span, prev_span());
    return s;
  }

  Stmt* import_from() {
    const Token& t = next();
    Stmt* s = stmt(StmtKind::ImportFrom, t.span);
    for (;;) {
      if (accept(Tok::Dot))
        s->level += 1;
      else if (accept(Tok::Ellipsis))
        s->level += 3;
      else
        break;
    }
    if (k() != Tok::Import)
      s->module = dotted_name();
    else if (s->level == 0)
      fail_here();
    if (k() != Tok::Import) fail_here();
    next();
    if (k() == Tok::Star) {
      Alias a;
      a.name = "*";
      a.span = next().span;
      s->names.push_back(std::move(a));
    } else {
      bool paren = accept(Tok::LPar);
      for (;;) {
        if (k() != Tok::Name) fail_here();
        const Token& n = next();
        Alias a;
        a.name = ident(n);
        if (accept(Tok::As)) {
          if (k() != Tok::Name) fail_here();
          a.asname = ident(next());
        }
        a.span = join(n.span, prev_span());
        s->names.push_back(std::move(a));
        if (!accept(Tok::Comma)) break;
        if (paren && k() == Tok::RPar) break;
        if (!paren && k() != Tok::Name) fail(prev_span(), "trailing comma not allowed without surrounding parentheses");
      }
      if (paren) expect(Tok::RPar);
    }
    s->span = join(t.span, prev_span());
    return s;
  }

  // ---- blocks ----

  std::vector<Stmt*> block(const std::string& what) {
    std::vector<Stmt*> body;
    if (accept(Tok::Newline)) {
      if (k() != Tok::Indent) {
        if (k() == Tok::Error) throw ParseError{};
        fail(here(), "expected an indented block after " + what);
      }
      next();
      statements(body, Tok::Dedent);
      accept(Tok::Dedent);
    } else {
      simple_stmts(body);
    }
    return body;
  }

  std::string on_line(const char* what, const Token& t) {
    return std::string(what) + " on line " + std::to_string(t.span.line);
  }

  // End of a compound statement: CPython uses the last token consumed that is not NEWLINE,
  // INDENT or DEDENT (so a trailing `;` counts).
  Span end_of(const std::vector<Stmt*>&) const {
    size_t i = p_;
    while (i > 0) {
      Tok t = toks_[--i].kind;
      if (t != Tok::Newline && t != Tok::Indent && t != Tok::Dedent) return toks_[i].span;
    }
    return toks_[0].span;
  }

  Stmt* decorated() {
    std::vector<Expr*> decos;
    while (accept(Tok::At)) {
      decos.push_back(named_expression());
      if (k() != Tok::Newline) fail_here();
      next();
    }
    if (k() == Tok::Def) return funcdef(std::move(decos), false);
    if (k() == Tok::Async && k_at(1) == Tok::Def) return funcdef(std::move(decos), true);
    if (k() == Tok::Class) return classdef(std::move(decos));
    fail_here();
  }

  Stmt* funcdef(std::vector<Expr*> decos, bool is_async) {
    const Token& start = cur();
    if (is_async) next();
    const Token& def = next();
    if (k() != Tok::Name) fail_here();
    Stmt* s = stmt(is_async ? StmtKind::AsyncFunctionDef : StmtKind::FunctionDef, start.span);
    s->name = ident(next());
    expect(Tok::LPar);
    s->args = parameters(Tok::RPar, true);
    expect(Tok::RPar);
    if (accept(Tok::RArrow)) s->returns = expression();
    if (k() != Tok::Colon) fail_here("expected ':'");  // `&&':'` in CPython's grammar
    next();
    s->decorators = std::move(decos);
    s->body = block(on_line("function definition", def));
    s->span = join(start.span, end_of(s->body));
    return s;
  }

  Stmt* classdef(std::vector<Expr*> decos) {
    const Token& start = next();
    if (k() != Tok::Name) fail_here();
    Stmt* s = stmt(StmtKind::ClassDef, start.span);
    s->name = ident(next());
    if (accept(Tok::LPar)) {
      Expr* call = node(ExprKind::Call, start.span);
      call_arguments(call, prev_span());
      for (const Expr* b : call->elts)
        if (b->kind == ExprKind::GeneratorExp) fail(b->span, "invalid syntax");
      s->bases = std::move(call->elts);
      s->keywords = std::move(call->keywords);
    }
    expect(Tok::Colon);
    s->decorators = std::move(decos);
    s->body = block(on_line("class definition", start));
    s->span = join(start.span, end_of(s->body));
    return s;
  }

  // Parameter lists of def (annotations allowed, closed by `)`) and lambda (closed by `:`).
  Arguments* parameters(Tok close, bool annotations) {
    Arguments* a = m_.new_arguments();
    std::vector<Arg> positional;
    bool seen_slash = false, seen_star = false, bare_star = false, seen_default = false;
    Span star_span;
    while (k() != close) {
      if (a->kwarg) fail(cur().span, "arguments cannot follow var-keyword argument");
      if (k() == Tok::Slash) {
        Span sp = next().span;
        if (seen_slash) fail(sp, "/ may appear only once");
        if (seen_star) fail(sp, "/ must be ahead of *");
        if (positional.empty()) {
          if (k() != Tok::Comma) fail(sp, "invalid syntax");
          fail(sp, "at least one argument must precede /");
        }
        seen_slash = true;
        a->posonlyargs = std::move(positional);
        positional.clear();
      } else if (k() == Tok::Star) {
        star_span = next().span;
        if (seen_star) fail(star_span, "* argument may appear only once");
        seen_star = true;
        if (k() == Tok::Comma || k() == close) {
          bare_star = true;
          if (k() == close || k_at(1) == close) fail(star_span, "named arguments must follow bare *");
        } else {
          a->vararg = m_.new_arg();
          *a->vararg = param(annotations, true);
          if (k() == Tok::Equal) fail(cur().span, "var-positional argument cannot have default value");
        }
      } else if (k() == Tok::DoubleStar) {
        next();
        a->kwarg = m_.new_arg();
        *a->kwarg = param(annotations, false);
        if (k() == Tok::Equal) fail(cur().span, "var-keyword argument cannot have default value");
      } else {
        Arg p = param(annotations, false);
        Expr* dflt = nullptr;
        if (accept(Tok::Equal)) {
          dflt = expression();
          if (close == Tok::RPar) check_juxtaposed(dflt);
        }
        if (seen_star) {
          a->kwonlyargs.push_back(std::move(p));
          a->kw_defaults.push_back(dflt);
        } else {
          if (dflt) {
            seen_default = true;
            a->defaults.push_back(dflt);
          } else if (seen_default) {
            fail(p.span, "non-default argument follows default argument");
          }
          positional.push_back(std::move(p));
        }
      }
      if (!accept(Tok::Comma)) break;
    }
    if (bare_star && a->kwonlyargs.empty()) fail(star_span, "named arguments must follow bare *");
    a->args = std::move(positional);
    return a;
  }

  Arg param(bool annotations, bool star_annotation) {
    if (k() != Tok::Name) fail_here();
    const Token& n = next();
    Arg p;
    p.name = ident(n);
    p.span = n.span;
    if (annotations && accept(Tok::Colon)) {
      p.annotation = star_annotation && k() == Tok::Star ? star_expression() : expression();
      p.span = join(n.span, prev_span());
      check_juxtaposed(p.annotation);
    }
    return p;
  }

  // An annotation or default directly followed by another expression: CPython's comma hint.
  void check_juxtaposed(const Expr*) {
    if (starts_expr(k())) comma_hint();
  }

  Stmt* if_stmt(bool elif) {
    const Token& t = next();
    Stmt* s = stmt(StmtKind::If, t.span);
    s->test = named_expression();
    expect(Tok::Colon);
    s->body = block(on_line(elif ? "'elif' statement" : "'if' statement", t));
    if (k() == Tok::Elif) {
      s->orelse.push_back(if_stmt(true));
    } else if (k() == Tok::Else) {
      const Token& e = next();
      expect(Tok::Colon);
      s->orelse = block(on_line("'else' statement", e));
    }
    s->span = join(t.span, end_of(s->orelse.empty() ? s->body : s->orelse));
    return s;
  }

  void else_block(Stmt* s) {
    if (k() == Tok::Else) {
      const Token& e = next();
      expect(Tok::Colon);
      s->orelse = block(on_line("'else' statement", e));
    }
  }

  Stmt* while_stmt() {
    const Token& t = next();
    Stmt* s = stmt(StmtKind::While, t.span);
    s->test = named_expression();
    expect(Tok::Colon);
    s->body = block(on_line("'while' statement", t));
    else_block(s);
    s->span = join(t.span, end_of(s->orelse.empty() ? s->body : s->orelse));
    return s;
  }

  Stmt* for_stmt(bool is_async) {
    const Token& start = cur();
    if (is_async) next();
    const Token& t = next();
    Stmt* s = stmt(is_async ? StmtKind::AsyncFor : StmtKind::For, start.span);
    s->target = target_list();
    set_ctx(s->target, ExprContext::Store, TargetUse::For);
    if (k() != Tok::In) fail_here();
    next();
    s->iter = star_expressions();
    expect(Tok::Colon);
    s->body = block(on_line("'for' statement", t));
    else_block(s);
    s->span = join(start.span, end_of(s->orelse.empty() ? s->body : s->orelse));
    return s;
  }

  WithItem with_item() {
    WithItem w;
    w.context_expr = expression();
    if (accept(Tok::As)) {
      w.optional_vars = target_item();
      set_ctx(w.optional_vars, ExprContext::Store, TargetUse::With);
      if (k() != Tok::Comma && k() != Tok::RPar && k() != Tok::Colon) fail_here();
    }
    return w;
  }

  Stmt* with_stmt(bool is_async) {
    const Token& start = cur();
    if (is_async) next();
    const Token& t = next();
    Stmt* s = stmt(is_async ? StmtKind::AsyncWith : StmtKind::With, start.span);
    bool done = false;
    if (k() == Tok::LPar) {
      // `with (a as b, c):` -- only if the parenthesized item list is followed by ':'.
      size_t save = p_, ndiag = diags_.size();
      try {
        next();
        std::vector<WithItem> items;
        for (;;) {
          items.push_back(with_item());
          if (!accept(Tok::Comma)) break;
          if (k() == Tok::RPar) break;
        }
        if (k() == Tok::RPar && k_at(1) == Tok::Colon) {
          next();
          s->items = std::move(items);
          done = true;
        }
      } catch (ParseError&) {
      }
      if (!done) {
        p_ = save;
        diags_.resize(ndiag);
      }
    }
    if (!done) {
      do {
        s->items.push_back(with_item());
      } while (accept(Tok::Comma));
    }
    expect(Tok::Colon);
    s->body = block(on_line("'with' statement", t));
    s->span = join(start.span, end_of(s->body));
    return s;
  }

  Stmt* try_stmt() {
    const Token& t = next();
    expect(Tok::Colon);
    Stmt* s = stmt(StmtKind::Try, t.span);
    s->body = block(on_line("'try' statement", t));
    int star = -1;  // -1 unknown, 0 except, 1 except*
    while (k() == Tok::Except) {
      const Token& e = next();
      bool is_star = accept(Tok::Star);
      if (star >= 0 && star != static_cast<int>(is_star))
        fail(e.span, "cannot have both 'except' and 'except*' on the same 'try'");
      star = is_star;
      ExceptHandler h;
      if (k() != Tok::Colon) {
        h.type = expression();
        if (k() == Tok::Comma) fail(h.type->span, "multiple exception types must be parenthesized");
        if (accept(Tok::As)) {
          if (k() != Tok::Name) fail_here();
          h.name = ident(next());
        }
      } else if (is_star) {
        fail(cur().span, "expected one or more exception types");
      }
      expect(Tok::Colon);
      h.body = block(on_line(is_star ? "'except*' statement" : "'except' statement", e));
      h.span = join(e.span, end_of(h.body));
      s->handlers.push_back(std::move(h));
    }
    if (star == 1) s->kind = StmtKind::TryStar;
    if (k() == Tok::Else) {
      if (s->handlers.empty()) fail_here("expected 'except' or 'finally' block");
      const Token& e = next();
      expect(Tok::Colon);
      s->orelse = block(on_line("'else' statement", e));
    }
    if (k() == Tok::Finally) {
      const Token& f = next();
      expect(Tok::Colon);
      s->finalbody = block(on_line("'finally' statement", f));
    }
    if (s->handlers.empty() && s->finalbody.empty()) fail_here("expected 'except' or 'finally' block");
    s->span = join(t.span, end_of(s->body));
    return s;
  }

  // `match` is a soft keyword: a match statement iff `match <subject>:` NEWLINE INDENT `case`.
  bool looks_like_match() const {
    Tok n = k_at(1);
    if (n == Tok::Colon || n == Tok::Equal || n == Tok::Dot || n == Tok::Newline || n == Tok::Comma || n == Tok::RPar ||
        n == Tok::EndMarker || op_tables().augop[static_cast<int>(n)] >= 0)
      return false;
    int depth = 0;
    for (size_t i = p_ + 1; i < toks_.size(); ++i) {
      Tok t = toks_[i].kind;
      if (t == Tok::Newline || t == Tok::EndMarker) return false;
      if (t == Tok::LPar || t == Tok::LSqb || t == Tok::LBrace)
        ++depth;
      else if (t == Tok::RPar || t == Tok::RSqb || t == Tok::RBrace)
        --depth;
      else if (t == Tok::Colon && depth == 0) {
        // `case` itself is checked by match_stmt (CPython reports a missing one there too).
        if (i + 2 >= toks_.size()) return false;
        return toks_[i + 1].kind == Tok::Newline && toks_[i + 2].kind == Tok::Indent;
      }
    }
    return false;
  }

  Stmt* match_stmt() {
    const Token& t = next();
    Stmt* s = stmt(StmtKind::Match, t.span);
    Span start = cur().span;
    Expr* first = star_named_expression();
    if (k() == Tok::Comma) {
      Expr* tup = node(ExprKind::Tuple, first->span);
      tup->elts.push_back(first);
      while (accept(Tok::Comma)) {
        if (k() == Tok::Colon) break;
        tup->elts.push_back(star_named_expression());
      }
      tup->span = join(start, prev_span());
      first = tup;
    }
    s->value = first;
    expect(Tok::Colon);
    expect(Tok::Newline);
    expect(Tok::Indent);
    Span last = t.span;
    while (is_soft("case")) {
      const Token& c = next();
      // The pattern is not modelled: skip to the guard or the colon.
      int depth = 0;
      for (;;) {
        Tok x = k();
        if (x == Tok::Newline || x == Tok::EndMarker) fail_here("expected ':'");
        if (depth == 0 && (x == Tok::Colon || x == Tok::If)) break;
        if (x == Tok::LPar || x == Tok::LSqb || x == Tok::LBrace)
          ++depth;
        else if (x == Tok::RPar || x == Tok::RSqb || x == Tok::RBrace)
          --depth;
        next();
      }
      if (&toks_[p_ - 1] == &c) fail_here();
      if (accept(Tok::If)) named_expression();
      expect(Tok::Colon);
      std::vector<Stmt*> body = block(on_line("'case' statement", c));
      last = end_of(body);
      s->body.insert(s->body.end(), body.begin(), body.end());
    }
    if (k() != Tok::Dedent) fail_here();
    next();
    s->span = join(t.span, last);
    return s;
  }

  // ======================================================================================
  // Expressions
  // ======================================================================================

  // star_expressions: unparenthesized tuple of star_expression.
  Expr* star_expressions() {
    Span start = cur().span;
    Expr* e = star_expression();
    if (k() != Tok::Comma) return e;
    Expr* t = node(ExprKind::Tuple, e->span);
    t->elts.push_back(e);
    while (accept(Tok::Comma)) {
      if (!starts_expr(k())) break;
      t->elts.push_back(star_expression());
    }
    t->span = join(start, prev_span());
    return t;
  }

  Expr* starred(Expr* (Parser::*inner)()) {
    DepthGuard g(*this);
    const Token& s = next();
    Expr* v = (this->*inner)();
    Expr* e = node(ExprKind::Starred, join(s.span, prev_span()));
    e->a = v;
    return e;
  }

  Expr* star_expression() { return k() == Tok::Star ? starred(&Parser::bitwise_or) : expression(); }
  Expr* star_named_expression() { return k() == Tok::Star ? starred(&Parser::bitwise_or) : named_expression(); }

  // `check`: report `<expr> :=` as CPython's invalid_named_expression does (not in call arguments).
  Expr* named_expression(bool check = true) {
    if (k() == Tok::Name && k_at(1) == Tok::ColonEqual) {
      const Token& n = next();
      next();
      Expr* target = node(ExprKind::Name, n.span);
      target->str = ident(n);
      target->ctx = ExprContext::Store;
      Expr* v = expression();
      Expr* e = node(ExprKind::NamedExpr, join(n.span, prev_span()));
      e->a = target;
      e->b = v;
      return e;
    }
    Expr* e = expression();
    if (k() == Tok::ColonEqual) {
      if (!check) fail_here();
      fail(e->span, std::string("cannot use assignment expressions with ") + expr_name(e));
    }
    return e;
  }

  Expr* expression() {
    DepthGuard g(*this);
    if (k() == Tok::Lambda) return lambdef();
    Span start = cur().span;
    size_t start_tok = p_;
    Expr* body = disjunction();
    if (k() != Tok::If) {
      last_disj_begin_ = start_tok;  // for comma_hint (CPython's rule is part of `expression`)
      last_disj_end_ = p_;
      return body;
    }
    next();
    Expr* test = disjunction();
    if (!accept(Tok::Else)) {
      if (k() == Tok::Colon) fail_here();  // CPython's rule excludes `... if x:`
      fail(join(start, prev_span()), "expected 'else' after 'if' expression");
    }
    Expr* orelse = expression();
    Expr* e = node(ExprKind::IfExp, join(start, prev_span()));
    e->a = test;
    e->b = body;
    e->c = orelse;
    return e;
  }

  Expr* lambdef() {
    const Token& t = next();
    Arguments* args = parameters(Tok::Colon, false);
    if (k() != Tok::Colon) fail_here();
    next();
    Expr* body = expression();
    Expr* e = node(ExprKind::Lambda, join(t.span, prev_span()));
    e->args = args;
    e->a = body;
    return e;
  }

  Expr* boolop(Tok tok, BoolOpKind op, Expr* (Parser::*inner)()) {
    Span start = cur().span;
    Expr* first = (this->*inner)();
    if (k() != tok) return first;
    Expr* e = node(ExprKind::BoolOp, first->span);
    e->boolop = op;
    e->elts.push_back(first);
    while (accept(tok)) e->elts.push_back((this->*inner)());
    e->span = join(start, prev_span());
    return e;
  }
  Expr* disjunction() { return boolop(Tok::Or, BoolOpKind::Or, &Parser::conjunction); }
  Expr* conjunction() { return boolop(Tok::And, BoolOpKind::And, &Parser::inversion); }

  Expr* inversion() {
    if (k() != Tok::Not) return comparison();
    DepthGuard g(*this);
    const Token& t = next();
    Expr* v = inversion();
    Expr* e = node(ExprKind::UnaryOp, join(t.span, prev_span()));
    e->unaryop = UnaryOpKind::Not;
    e->a = v;
    return e;
  }

  // Returns true and sets `op` (consuming the operator) if a comparison operator follows.
  bool comparison_op(CmpOpKind& op) {
    Tok t = k();
    int i = op_tables().cmpop[static_cast<int>(t)];
    if (i >= 0) {
      next();
      op = kCmpOps[i].op;
      return true;
    }
    if (t == Tok::In) {
      next();
      op = CmpOpKind::In;
      return true;
    }
    if (t == Tok::Not && k_at(1) == Tok::In) {
      next();
      next();
      op = CmpOpKind::NotIn;
      return true;
    }
    if (t == Tok::Is) {
      next();
      op = accept(Tok::Not) ? CmpOpKind::IsNot : CmpOpKind::Is;
      return true;
    }
    return false;
  }

  Expr* comparison() {
    Span start = cur().span;
    Expr* left = bitwise_or();
    CmpOpKind op;
    if (!comparison_op(op)) return left;
    Expr* e = node(ExprKind::Compare, left->span);
    e->a = left;
    do {
      e->cmpops.push_back(op);
      e->elts.push_back(bitwise_or());
    } while (comparison_op(op));
    e->span = join(start, prev_span());
    return e;
  }

  Expr* bitwise_or() { return binary(1); }

  // Precedence climbing over the binary operator table (all left-associative).
  Expr* binary(int min_prec) {
    Span start = cur().span;
    Expr* left = factor();
    for (int chain = 0;; ++chain) {
      int i = op_tables().binop[static_cast<int>(k())];
      if (i < 0 || kBinOps[i].prec < min_prec) return left;
      check_chain(chain);
      next();
      Expr* right = binary(kBinOps[i].prec + 1);
      Expr* e = node(ExprKind::BinOp, join(start, prev_span()));
      e->binop = kBinOps[i].op;
      e->a = left;
      e->b = right;
      left = e;
    }
  }

  Expr* factor() {
    Tok t = k();
    UnaryOpKind op;
    if (t == Tok::Plus)
      op = UnaryOpKind::UAdd;
    else if (t == Tok::Minus)
      op = UnaryOpKind::USub;
    else if (t == Tok::Tilde)
      op = UnaryOpKind::Invert;
    else
      return power();
    DepthGuard g(*this);
    const Token& tk = next();
    Expr* v = factor();
    Expr* e = node(ExprKind::UnaryOp, join(tk.span, prev_span()));
    e->unaryop = op;
    e->a = v;
    return e;
  }

  Expr* power() {
    Span start = cur().span;
    Expr* left = await_primary();
    if (k() != Tok::DoubleStar) return left;
    DepthGuard g(*this);
    next();
    Expr* right = factor();
    Expr* e = node(ExprKind::BinOp, join(start, prev_span()));
    e->binop = BinOpKind::Pow;
    e->a = left;
    e->b = right;
    return e;
  }

  Expr* await_primary() {
    if (k() != Tok::Await) return primary();
    const Token& t = next();
    Expr* v = primary();
    Expr* e = node(ExprKind::Await, join(t.span, prev_span()));
    e->a = v;
    return e;
  }

  Expr* primary() {
    Span start = cur().span;
    Expr* e = atom();
    for (int chain = 0;; ++chain) {
      Tok t = k();
      if (t == Tok::Dot || t == Tok::LPar || t == Tok::LSqb) check_chain(chain);
      if (t == Tok::Dot) {
        next();
        if (k() != Tok::Name) fail_here();
        const Token& n = next();
        Expr* a = node(ExprKind::Attribute, join(start, n.span));
        a->a = e;
        a->str = ident(n);
        e = a;
      } else if (t == Tok::LPar) {
        Span open = next().span;
        Expr* c = node(ExprKind::Call, e->span);
        c->a = e;
        call_arguments(c, open);
        c->span = join(start, prev_span());
        e = c;
      } else if (t == Tok::LSqb) {
        next();
        Expr* s = node(ExprKind::Subscript, e->span);
        s->a = e;
        s->b = slices();
        expect_close(Tok::RSqb, s->b);
        s->span = join(start, prev_span());
        e = s;
      } else {
        return e;
      }
    }
  }

  Expr* slices() {
    Span start = cur().span;
    Expr* first = slice_item();
    if (k() != Tok::Comma && first->kind != ExprKind::Starred) return first;
    Expr* t = node(ExprKind::Tuple, first->span);
    t->elts.push_back(first);
    while (accept(Tok::Comma)) {
      if (k() == Tok::RSqb) break;
      t->elts.push_back(slice_item());
    }
    t->span = join(start, prev_span());
    return t;
  }

  Expr* slice_item() {
    if (k() == Tok::Star) return starred(&Parser::expression);
    Span start = cur().span;
    Expr* lower = nullptr;
    if (k() != Tok::Colon) {
      lower = named_expression();
      if (k() != Tok::Colon) return lower;
    }
    next();
    Expr* s = node(ExprKind::Slice, start);
    s->a = lower;
    if (k() != Tok::Colon && k() != Tok::Comma && k() != Tok::RSqb) s->b = expression();
    if (accept(Tok::Colon) && k() != Tok::Comma && k() != Tok::RSqb) s->c = expression();
    s->span = join(start, prev_span());
    return s;
  }

  // Arguments of a call (or class bases) after '('; consumes the ')'.
  void call_arguments(Expr* call, Span open) {
    bool seen_kw = false, seen_dstar = false;
    Expr* last = nullptr;
    const char* order_error = nullptr;  // reported once the whole list is read, as CPython does
    while (k() != Tok::RPar) {
      Tok t = k();
      if (t == Tok::Star) {
        Expr* e = starred(&Parser::expression);
        if (seen_dstar && !order_error) order_error = "iterable argument unpacking follows keyword argument unpacking";
        call->elts.push_back(e);
        last = e;
      } else if (t == Tok::DoubleStar) {
        const Token& s = next();
        Keyword kw;
        kw.value = expression();
        kw.span = join(s.span, prev_span());
        last = kw.value;
        call->keywords.push_back(kw);
        seen_dstar = true;
      } else if (t == Tok::Name && k_at(1) == Tok::Equal) {
        const Token& n = next();
        next();
        Keyword kw;
        kw.arg = ident(n);
        kw.value = expression();
        kw.span = join(n.span, prev_span());
        if (comp_follows(k(), k_at(1))) {
          // CPython's invalid_arguments: `NAME '=' expression for_if_clauses`.
          size_t ndiag = diags_.size();
          Span at = cur().span;
          Expr* g = node(ExprKind::GeneratorExp, kw.span);
          try {
            comprehension_clauses(g);
          } catch (ParseError&) {
            diags_.resize(ndiag);
            fail(at, "invalid syntax");
          }
          fail(kw.span, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
        }
        last = kw.value;
        call->keywords.push_back(std::move(kw));
        seen_kw = true;
      } else if ((t == Tok::True || t == Tok::False || t == Tok::None) && k_at(1) == Tok::Equal) {
        fail(cur().span, std::string("cannot assign to ") + std::string(text(cur())));
      } else {
        Expr* e = nullptr;
        if (seen_kw || seen_dstar) {
          // CPython only tries keyword forms once keywords started: a positional argument that does
          // not parse is reported as "invalid syntax" where it starts.
          size_t ndiag = diags_.size();
          Span at = cur().span;
          try {
            e = named_expression(false);
          } catch (ParseError&) {
            diags_.resize(ndiag);
            fail(at, "invalid syntax");
          }
        } else {
          e = named_expression(false);
        }
        if (k() == Tok::For || (k() == Tok::Async && k_at(1) == Tok::For)) {
          Expr* g = node(ExprKind::GeneratorExp, e->span);
          g->a = e;
          comprehension_clauses(g);
          if (!call->elts.empty() || !call->keywords.empty() || k() == Tok::Comma)
            fail(join(e->span, prev_span()), "Generator expression must be parenthesized");
          if (k() != Tok::RPar) fail_here();
          g->span = join(open, cur().span);
          e = g;
        } else if (k() == Tok::Equal && e->kind != ExprKind::NamedExpr) {
          fail(join(e->span, cur().span), "expression cannot contain assignment, perhaps you meant \"==\"?");
        }
        if (seen_dstar && !order_error) order_error = "positional argument follows keyword argument unpacking";
        if (seen_kw && !order_error) order_error = "positional argument follows keyword argument";
        call->elts.push_back(e);
        last = e;
      }
      if (!accept(Tok::Comma)) break;
    }
    if (order_error && k() == Tok::RPar) fail_here(order_error);
    expect_close(Tok::RPar, last);
  }

  void comprehension_clauses(Expr* e) {
    while (k() == Tok::For || (k() == Tok::Async && k_at(1) == Tok::For)) {
      Comprehension c;
      c.is_async = accept(Tok::Async);
      next();
      c.target = target_list();
      set_ctx(c.target, ExprContext::Store, TargetUse::Comp);
      if (k() != Tok::In) fail_here();
      next();
      c.iter = disjunction();
      while (accept(Tok::If)) c.ifs.push_back(disjunction());
      e->generators.push_back(std::move(c));
    }
  }

  static bool comp_follows(Tok t, Tok t1) { return t == Tok::For || (t == Tok::Async && t1 == Tok::For); }

  // Targets of for / comprehensions / del / with: bitwise_or-level items so that `in` is not consumed.
  Expr* target_item() {
    if (k() == Tok::Star) return starred(&Parser::target_item);
    size_t start = p_;
    Expr* e = bitwise_or();
    last_disj_begin_ = start;  // CPython re-parses targets as expressions when reporting errors
    last_disj_end_ = p_;
    return e;
  }

  Expr* target_list() {
    Span start = cur().span;
    Expr* e = target_item();
    if (k() != Tok::Comma) return e;
    Expr* t = node(ExprKind::Tuple, e->span);
    t->elts.push_back(e);
    while (accept(Tok::Comma)) {
      if (!starts_expr(k())) break;
      t->elts.push_back(target_item());
    }
    t->span = join(start, prev_span());
    return t;
  }

  Expr* yield_expr() {
    const Token& t = next();
    if (accept(Tok::From)) {
      Expr* v = expression();
      Expr* e = node(ExprKind::YieldFrom, join(t.span, prev_span()));
      e->a = v;
      return e;
    }
    Expr* e = node(ExprKind::Yield, t.span);
    if (starts_expr(k())) {
      e->a = star_expressions();
      e->span = join(t.span, prev_span());
    }
    return e;
  }

  Expr* atom() {
    DepthGuard g(*this);
    const Token& t = cur();
    switch (t.kind) {
      case Tok::Name: {
        next();
        Expr* e = node(ExprKind::Name, t.span);
        e->str = ident(t);
        return e;
      }
      case Tok::Number: next(); return number(t);
      case Tok::String: return strings();
      case Tok::True:
      case Tok::False: {
        next();
        Expr* e = node(ExprKind::Constant, t.span);
        e->ckind = ConstKind::Bool;
        e->bval = t.kind == Tok::True;
        return e;
      }
      case Tok::None: next(); return node(ExprKind::Constant, t.span);
      case Tok::Ellipsis: {
        next();
        Expr* e = node(ExprKind::Constant, t.span);
        e->ckind = ConstKind::Ellipsis;
        return e;
      }
      case Tok::LPar: next(); return paren_body(t.span, Tok::RPar);
      case Tok::LSqb: next(); return list_display(t.span);
      case Tok::LBrace: next(); return brace_display(t.span);
      default: fail_here();
    }
  }

  Expr* number(const Token& t) {
    Expr* e = node(ExprKind::Constant, t.span);
    lex::NumberValue v = lex::decode_number(text(t));
    switch (v.kind) {
      case lex::NumberValue::Int:
        e->ckind = ConstKind::Int;
        e->ival = v.ival;
        break;
      case lex::NumberValue::BigInt:
        if (v.big.size() > 4300)
          fail(t.span, "Exceeds the limit (4300 digits) for integer string conversion: value has " +
                           std::to_string(v.big.size()) +
                           " digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal "
                           "for huge integer literals to avoid decimal conversion limits.");
        e->ckind = ConstKind::Int;
        e->big_int = true;
        e->str = std::move(v.big);
        break;
      case lex::NumberValue::Float:
        e->ckind = ConstKind::Float;
        e->fval = v.fval;
        break;
      case lex::NumberValue::Complex:
        e->ckind = ConstKind::Complex;
        e->fval = v.fval;
        break;
    }
    return e;
  }

  // The inside of '(' ... ')' (or of an f-string field when close == EndMarker).
  Expr* paren_body(Span open, Tok close) {
    auto close_span = [&]() { return close == Tok::EndMarker ? fstring_close_ : cur().span; };
    if (k() == Tok::DoubleStar) fail(cur().span, "cannot use double starred expression here");
    if (k() == close) {
      if (close == Tok::EndMarker) fail(open, "f-string: empty expression not allowed");
      Expr* e = node(ExprKind::Tuple, join(open, close_span()));
      next();
      return e;
    }
    if (k() == Tok::Yield) {
      Expr* y = yield_expr();
      expect_close(close, y);
      return y;
    }
    Expr* first = star_named_expression();
    if (comp_follows(k(), k_at(1))) {
      if (first->kind == ExprKind::Starred) fail(first->span, "iterable unpacking cannot be used in comprehension");
      Expr* g = node(ExprKind::GeneratorExp, open);
      g->a = first;
      comprehension_clauses(g);
      Span cs = close_span();
      expect_close(close, nullptr);
      g->span = join(open, cs);
      return g;
    }
    if (k() == close) {
      if (first->kind == ExprKind::Starred) fail(first->span, "cannot use starred expression here");
      next();
      return first;
    }
    if (k() != Tok::Comma) {
      if (close == Tok::EndMarker && k() == Tok::Equal) fail(cur().span, "f-string: expecting '}'");
      expect_close(close, first);
    }
    Expr* t = node(ExprKind::Tuple, open);
    t->elts.push_back(first);
    Expr* last = first;
    while (accept(Tok::Comma)) {
      if (k() == close) break;
      last = star_named_expression();
      t->elts.push_back(last);
    }
    Span cs = close_span();
    expect_close(close, k() == Tok::Comma ? nullptr : last);
    t->span = join(open, cs);
    return t;
  }

  Expr* list_display(Span open) {
    if (k() == Tok::RSqb) return node(ExprKind::List, join(open, next().span));
    Expr* first = star_named_expression();
    if (comp_follows(k(), k_at(1))) {
      if (first->kind == ExprKind::Starred) fail(first->span, "iterable unpacking cannot be used in comprehension");
      Expr* c = node(ExprKind::ListComp, open);
      c->a = first;
      comprehension_clauses(c);
      expect_close(Tok::RSqb, nullptr);
      c->span = join(open, prev_span());
      return c;
    }
    Expr* l = node(ExprKind::List, open);
    l->elts.push_back(first);
    Expr* last = first;
    while (accept(Tok::Comma)) {
      last = nullptr;
      if (k() == Tok::RSqb) break;
      last = star_named_expression();
      l->elts.push_back(last);
    }
    expect_close(Tok::RSqb, last);
    l->span = join(open, prev_span());
    return l;
  }

  Expr* brace_display(Span open) {
    if (k() == Tok::RBrace) return node(ExprKind::Dict, join(open, next().span));
    Expr* first_key = nullptr;
    Expr* first_val = nullptr;
    if (k() == Tok::DoubleStar) {
      Span star = next().span;
      first_val = bitwise_or();
      if (comp_follows(k(), k_at(1)))
        fail(join(star, prev_span()), "dict unpacking cannot be used in dict comprehension");
    } else {
      Expr* first = star_named_expression();
      if (k() != Tok::Colon) return set_display(open, first);
      if (first->kind == ExprKind::Starred) fail(cur().span, "invalid syntax");
      next();
      first_key = first;
      first_val = dict_value();
      if (comp_follows(k(), k_at(1))) {
        Expr* c = node(ExprKind::DictComp, open);
        c->a = first_key;
        c->b = first_val;
        comprehension_clauses(c);
        expect_close(Tok::RBrace, nullptr);
        c->span = join(open, prev_span());
        return c;
      }
    }
    Expr* d = node(ExprKind::Dict, open);
    d->keys.push_back(first_key);
    d->elts.push_back(first_val);
    Expr* last = first_val;
    while (accept(Tok::Comma)) {
      last = nullptr;
      if (k() == Tok::RBrace) break;
      if (accept(Tok::DoubleStar)) {
        d->keys.push_back(nullptr);
        last = bitwise_or();
        d->elts.push_back(last);
      } else {
        Expr* key = expression();
        d->keys.push_back(key);
        if (k() != Tok::Colon) {
          if (k() == Tok::Error) throw ParseError{};
          fail(join(key->span, prev_span()), "':' expected after dictionary key");
        }
        next();
        last = dict_value();
        d->elts.push_back(last);
      }
    }
    expect_close(Tok::RBrace, last);
    d->span = join(open, prev_span());
    return d;
  }

  Expr* dict_value() {
    if (k() == Tok::Star) fail(cur().span, "cannot use a starred expression in a dictionary value");
    if (k() == Tok::RBrace || k() == Tok::Comma) fail(prev_span(), "expression expected after dictionary key and ':'");
    return expression();
  }

  Expr* set_display(Span open, Expr* first) {
    if (comp_follows(k(), k_at(1))) {
      if (first->kind == ExprKind::Starred) fail(first->span, "iterable unpacking cannot be used in comprehension");
      Expr* c = node(ExprKind::SetComp, open);
      c->a = first;
      comprehension_clauses(c);
      expect_close(Tok::RBrace, nullptr);
      c->span = join(open, prev_span());
      return c;
    }
    Expr* s = node(ExprKind::Set, open);
    s->elts.push_back(first);
    Expr* last = first;
    while (accept(Tok::Comma)) {
      last = nullptr;
      if (k() == Tok::RBrace) break;
      last = star_named_expression();
      s->elts.push_back(last);
    }
    expect_close(Tok::RBrace, last);
    s->span = join(open, prev_span());
    return s;
  }

  // ======================================================================================
  // String literals and f-strings (CPython 3.11 string_parser.c semantics)
  // ======================================================================================

  struct FState {
    std::vector<Expr*> values;
    std::string last_str;
    bool fmode = false;
  };

  struct StrCtx {
    const Token* first;  // first token of the concatenation (Constant kind "u", spans)
    Span whole;          // span of the whole concatenation
    const Token* t;      // token being parsed
    uint32_t body_abs;   // absolute offset of the token body
    bool raw;
  };

  // Errors in string literals: CPython reports them at the token after the concatenation.
  [[noreturn]] void fstring_fail(const StrCtx&, std::string msg) { fail(cur().span, std::move(msg)); }

  Expr* make_str(std::string s, const Token* kind_tok, Span sp) {
    Expr* e = node(ExprKind::Constant, sp);
    e->ckind = ConstKind::Str;
    e->str = std::move(s);
    if (!text_.empty() && text_[kind_tok->begin] == 'u') e->kind_u = "u";
    return e;
  }

  Expr* strings() {
    size_t first_i = p_;
    while (k() == Tok::String) next();
    const Token& first = toks_[first_i];
    const Token& last = toks_[p_ - 1];
    Span whole = join(first.span, last.span);
    FState st;
    bool bytesmode = false;
    std::string bytes;
    std::string decoded, error;
    for (size_t i = first_i; i < p_; ++i) {
      const Token& t = toks_[i];
      lex::StringParts parts = lex::split_string_token(text(t));
      if (i != first_i && bytesmode != parts.bytes) fail(cur().span, "cannot mix bytes and nonbytes literals");
      bytesmode = parts.bytes;
      if (parts.fstring) {
        StrCtx c{&first, whole, &t, t.begin + parts.body_offset, parts.raw};
        size_t pos = 0;
        fstring_concat(st, c, pos, parts.body.size(), 0);
        continue;
      }
      if (!lex::decode_string_body(parts.body, parts.raw, parts.bytes, decoded, error))
        fail(parts.bytes && error.rfind("bytes", 0) == 0 ? t.span : cur().span, error);
      if (bytesmode)
        bytes += decoded;
      else
        st.last_str += decoded;
    }
    if (bytesmode) {
      Expr* e = node(ExprKind::Constant, whole);
      e->ckind = ConstKind::Bytes;
      e->str = std::move(bytes);
      return e;
    }
    return fstring_finish(st, &first, whole);
  }

  Expr* fstring_finish(FState& st, const Token* kind_tok, Span sp) {
    if (!st.fmode) return make_str(std::move(st.last_str), kind_tok, sp);
    if (!st.last_str.empty()) st.values.push_back(make_str(std::move(st.last_str), kind_tok, sp));
    st.last_str.clear();
    Expr* j = node(ExprKind::JoinedStr, sp);
    j->elts = std::move(st.values);
    return j;
  }

  std::string_view body_of(const StrCtx& c) const {
    lex::StringParts parts = lex::split_string_token(text(*c.t));
    return parts.body;
  }

  // One f-string token (or a nested format spec when recurse > 0), from body position `pos`.
  void fstring_concat(FState& st, const StrCtx& c, size_t& pos, size_t end, int recurse) {
    st.fmode = true;
    std::string_view body = body_of(c);
    for (;;) {
      // Literal text up to an un-doubled brace.
      size_t s = pos, lit_start = pos;
      int result = 0;
      while (s < end) {
        char ch = body[s++];
        if (!c.raw && ch == '\\' && s < end) {
          ch = body[s++];
          if (ch == 'N') {
            if (s < end && body[s++] == '{') {
              while (s < end && body[s++] != '}') {
              }
            }
            continue;
          }
        }
        if (ch == '{' || ch == '}') {
          if (recurse == 0) {
            if (s < end && body[s] == ch) {
              pos = s + 1;
              result = 1;
              break;
            }
            if (ch == '}') fstring_fail(c, "f-string: single '}' is not allowed");
          }
          --s;
          break;
        }
      }
      size_t lit_end = result ? pos - 1 : s;
      if (!result) pos = s;
      if (lit_end > lit_start) {
        std::string lit, error;
        if (!lex::decode_string_body(body.substr(lit_start, lit_end - lit_start), c.raw, false, lit, error))
          fstring_fail(c, error);
        st.last_str += lit;
      }
      if (result == 1) continue;
      if (pos >= end || body[pos] == '}') break;
      // A replacement field.
      Expr* fv = fstring_field(st, c, pos, end, recurse);
      if (!st.last_str.empty()) {
        st.values.push_back(make_str(std::move(st.last_str), c.first, c.whole));
        st.last_str.clear();
      }
      st.values.push_back(fv);
    }
    if (recurse != 0 && (pos >= end || body[pos] != '}')) fstring_fail(c, "f-string: expecting '}'");
  }

  // Line number and line-start offset of absolute source offset `abs` inside token `t`.
  void position_of(const Token& t, uint32_t abs, uint32_t& line, uint32_t& line_start) const {
    line = t.span.line;
    line_start = t.begin - t.span.col;
    for (uint32_t i = t.begin; i < abs; ++i) {
      char ch = text_[i];
      if (ch == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n') continue;  // counted at the \n
      if (ch == '\n' || ch == '\r') {
        ++line;
        line_start = i + 1;
      }
    }
  }

  Expr* fstring_field(FState& st, const StrCtx& c, size_t& pos, size_t end, int recurse) {
    std::string_view body = body_of(c);
    if (recurse >= 2) fstring_fail(c, "f-string: expressions nested too deeply");
    size_t brace = pos;
    ++pos;
    size_t expr_start = pos;
    char quote = 0;
    int string_type = 0;
    std::vector<char> parens;
    for (; pos < end; ++pos) {
      char ch = body[pos];
      if (ch == '\\') fstring_fail(c, "f-string expression part cannot include a backslash");
      if (quote) {
        if (ch == quote) {
          if (string_type == 3) {
            if (pos + 2 < end && body[pos + 1] == ch && body[pos + 2] == ch) {
              pos += 2;
              string_type = 0;
              quote = 0;
            }
          } else {
            string_type = 0;
            quote = 0;
          }
        }
        continue;
      }
      if (ch == '\'' || ch == '"') {
        if (pos + 2 < end && body[pos + 1] == ch && body[pos + 2] == ch) {
          string_type = 3;
          pos += 2;
        } else {
          string_type = 1;
        }
        quote = ch;
      } else if (ch == '[' || ch == '{' || ch == '(') {
        if (parens.size() >= 200) fstring_fail(c, "f-string: too many nested parenthesis");
        parens.push_back(ch);
      } else if (ch == '#') {
        fstring_fail(c, "f-string expression part cannot include '#'");
      } else if (parens.empty() && (ch == '!' || ch == ':' || ch == '}' || ch == '=' || ch == '>' || ch == '<')) {
        if (pos + 1 < end) {
          char nx = body[pos + 1];
          if ((ch == '!' && nx == '=') || (ch == '=' && nx == '=') || (ch == '<' && nx == '=') ||
              (ch == '>' && nx == '=')) {
            ++pos;
            continue;
          }
        }
        if (ch == '>' || ch == '<') continue;
        break;
      } else if (ch == ']' || ch == '}' || ch == ')') {
        if (parens.empty()) fstring_fail(c, std::string("f-string: unmatched '") + ch + "'");
        char open = parens.back();
        parens.pop_back();
        if (!((open == '(' && ch == ')') || (open == '[' && ch == ']') || (open == '{' && ch == '}')))
          fstring_fail(c, std::string("f-string: closing parenthesis '") + ch +
                              "' does not match opening parenthesis '" + open + "'");
      }
    }
    size_t expr_end = pos;
    if (quote) fstring_fail(c, "f-string: unterminated string");
    if (!parens.empty()) fstring_fail(c, std::string("f-string: unmatched '") + parens.back() + "'");
    if (pos >= end) fstring_fail(c, "f-string: expecting '}'");

    // Compile the expression.
    size_t ws = expr_start;
    while (ws < expr_end &&
           (body[ws] == ' ' || body[ws] == '\t' || body[ws] == '\n' || body[ws] == '\r' || body[ws] == '\f'))
      ++ws;
    if (ws == expr_end) {
      char ch = body[expr_end];
      if (ch == '!' || ch == ':' || ch == '=')
        fstring_fail(c, std::string("f-string: expression required before '") + ch + "'");
      fstring_fail(c, "f-string: empty expression not allowed");
    }
    Expr* value = compile_field(c, brace, expr_start, expr_end);

    std::string expr_text;
    bool has_text = false;
    if (body[pos] == '=') {
      ++pos;
      while (pos < end && (body[pos] == ' ' || body[pos] == '\t' || body[pos] == '\n' || body[pos] == '\r' ||
                           body[pos] == '\f' || body[pos] == '\v'))
        ++pos;
      if (pos >= end) fstring_fail(c, "f-string: expecting '}'");
      expr_text = std::string(body.substr(expr_start, pos - expr_start));
      has_text = true;
    }
    int conversion = -1;
    if (body[pos] == '!') {
      ++pos;
      if (pos >= end) fstring_fail(c, "f-string: expecting '}'");
      conversion = static_cast<unsigned char>(body[pos]);
      ++pos;
      if (!(conversion == 's' || conversion == 'r' || conversion == 'a'))
        fstring_fail(c, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
    }
    Expr* spec = nullptr;
    if (pos < end && body[pos] == ':') {
      ++pos;
      if (pos >= end) fstring_fail(c, "f-string: expecting '}'");
      FState sub;
      fstring_concat(sub, c, pos, end, recurse + 1);
      spec = fstring_finish(sub, c.t, c.t->span);
    }
    if (pos >= end || body[pos] != '}') fstring_fail(c, "f-string: expecting '}'");
    ++pos;
    if (has_text) {
      std::string normalized;
      for (size_t i = 0; i < expr_text.size(); ++i) {
        if (expr_text[i] == '\r') {
          normalized.push_back('\n');
          if (i + 1 < expr_text.size() && expr_text[i + 1] == '\n') ++i;
        } else {
          normalized.push_back(expr_text[i]);
        }
      }
      st.last_str += normalized;
      if (!spec && conversion == -1) conversion = 'r';
    }
    Expr* fv = node(ExprKind::FormattedValue, c.whole);
    fv->a = value;
    fv->conversion = conversion;
    fv->b = spec;
    return fv;
  }

  // Parses body[expr_start, expr_end) of the current f-string token as an expression.
  Expr* compile_field(const StrCtx& c, size_t brace, size_t expr_start, size_t expr_end) {
    uint32_t abs_brace = c.body_abs + static_cast<uint32_t>(brace);
    uint32_t abs_start = c.body_abs + static_cast<uint32_t>(expr_start);
    uint32_t abs_end = c.body_abs + static_cast<uint32_t>(expr_end);
    uint32_t bline, bls, eline, els;
    position_of(*c.t, abs_brace, bline, bls);
    position_of(*c.t, abs_end, eline, els);
    // CPython places the synthetic '(' at the brace unless only whitespace follows it on its line.
    bool newline_after_brace = true;
    std::string_view body = body_of(c);
    for (size_t i = brace + 1; i < body.size() && body[i] != '}' && body[i] != '\n' && body[i] != '\r'; ++i) {
      if (body[i] != ' ' && body[i] != '\t' && body[i] != '\f') {
        newline_after_brace = false;
        break;
      }
    }
    uint32_t open_col = abs_brace - bls;
    if (newline_after_brace) open_col = bline == c.t->span.line ? c.t->span.col : 0;
    Span open{bline, open_col, bline, open_col + 1};
    Span close{eline, abs_end - els, eline, abs_end - els + 1};
    uint32_t sline, sls;
    position_of(*c.t, abs_start, sline, sls);
    std::vector<Token> toks = lex::tokenize_range(src_, abs_start, abs_end, sline, sls, diags_);
    for (const Token& t : toks)
      if (t.kind == Tok::Error) throw ParseError{};
    Parser sub(src_, diags_, m_, std::move(toks), depth_ + 10);
    Expr* e = sub.parse_fstring_field(open, close);
    if (!e) throw ParseError{};
    if (sub.k() != Tok::EndMarker) fstring_fail(c, "f-string: invalid syntax");
    return e;
  }
};

}  // namespace

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Orders the diagnostics of one parse by position, with the one CPython would report first in
// front. CPython decodes the file first (encoding errors win), stops at the first error the parser
// hits, and then replaces a parser error by any later tokenizer error (or by an unclosed bracket
// opened on an earlier line).
void order_diagnostics(std::vector<Diagnostic>& diags, size_t first, size_t lex_end,
                       const std::vector<lex::OpenBracketAtError>& open_at_errors) {
  enum Tag { Decode, LexRaised, LexOther, NeverClosed, ParserErr };
  struct Item {
    Tag tag;
    uint32_t line, col;
    size_t index;
  };
  std::vector<Item> items;
  for (size_t i = first; i < diags.size(); ++i) {
    const Diagnostic& d = diags[i];
    Tag tag = ParserErr;
    if (i < lex_end) {
      const std::string& msg = d.message;
      if (starts_with(msg, "source code string cannot contain null bytes") || starts_with(msg, "encoding problem") ||
          starts_with(msg, "unknown encoding"))
        tag = Decode;
      else if (ends_with(msg, "was never closed"))
        tag = NeverClosed;
      else if (starts_with(msg, "unindent does not match") || starts_with(msg, "inconsistent use of tabs") ||
               starts_with(msg, "unexpected character after line continuation") ||
               starts_with(msg, "too many levels of indentation") || starts_with(msg, "unexpected EOF while parsing"))
        tag = LexOther;
      else
        tag = LexRaised;
    }
    uint32_t line = tag == NeverClosed ? UINT32_MAX : d.loc.span.line;
    items.push_back(Item{tag, line, d.loc.span.col, i});
  }
  if (items.empty()) return;
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.tag == Decode || b.tag == Decode) return a.tag == Decode && b.tag != Decode;
    if (a.line != b.line) return a.line < b.line;
    return a.col < b.col;
  });
  size_t primary = 0;
  const std::string& first_msg = diags[items[0].index].message;
  if (items[0].tag == ParserErr && first_msg != "unexpected indent" && first_msg != "unexpected unindent") {
    for (size_t i = 1; i < items.size(); ++i) {
      if (items[i].tag == LexRaised) {
        primary = i;
        break;
      }
      if (items[i].tag == LexOther) {
        // CPython's re-tokenization stops at this error; inside a bracket opened before the
        // parser error, it reports that bracket as never closed instead.
        for (const auto& o : open_at_errors) {
          if (o.diag_index != items[i].index || o.line >= items[0].line) continue;
          Diagnostic d;
          d.loc = Location{diags[items[0].index].loc.file, Span{o.line, o.col, o.line, o.col + 1}};
          d.message = std::string("'") + o.bracket + "' was never closed";
          diags.push_back(std::move(d));
          items.insert(items.begin(), Item{NeverClosed, o.line, o.col, diags.size() - 1});
          break;
        }
        break;
      }
      if (items[i].tag == NeverClosed && diags[items[i].index].loc.span.line < items[0].line) {
        primary = i;
        break;
      }
    }
  }
  std::rotate(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(primary),
              items.begin() + static_cast<std::ptrdiff_t>(primary) + 1);
  std::vector<Diagnostic> sorted;
  sorted.reserve(items.size());
  for (const Item& it : items) sorted.push_back(std::move(diags[it.index]));
  diags.resize(first);
  for (Diagnostic& d : sorted) diags.push_back(std::move(d));
}

}  // namespace

std::unique_ptr<ast::Module> parse_module(SourceRef source, std::vector<Diagnostic>& diags) {
  auto m = std::make_unique<ast::Module>();
  m->source = source;
  size_t first = diags.size();
  source = lex::decode_source(source, diags);
  m->source = source;
  std::vector<lex::OpenBracketAtError> open_at_errors;
  std::vector<lex::Token> toks = lex::tokenize(source, diags, &open_at_errors);
  size_t lex_end = diags.size();
  Parser p(source, diags, *m, std::move(toks));
  m->body = p.file();
  order_diagnostics(diags, first, lex_end, open_at_errors);
  constexpr size_t kMaxDiagnostics = 100;  // a flood of errors helps nobody (and renders slowly)
  if (diags.size() - first > kMaxDiagnostics) {
    size_t dropped = diags.size() - first - kMaxDiagnostics;
    diags.resize(first + kMaxDiagnostics);
    Diagnostic d;
    d.message = std::to_string(dropped) + " more syntax errors in " + source->path() + " not shown";
    diags.push_back(std::move(d));
  }
  return m;
}

std::unique_ptr<ast::Module> parse_module_or_throw(SourceRef source) {
  std::vector<Diagnostic> diags;
  auto m = parse_module(std::move(source), diags);
  for (const Diagnostic& d : diags)
    if (d.severity == Severity::Error) throw UserError(std::move(diags));
  return m;
}

}  // namespace nkic
