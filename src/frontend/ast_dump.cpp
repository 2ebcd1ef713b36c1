// dump_ast: the normalized AST dump that tests/frontend/ast_dump.py reproduces from CPython.
//
// One node per line: `Type [line:col-end_line:end_col] [field=scalar ...]`, then for each child
// field (in CPython's _fields order) that is non-empty a line `field:` indented by two more
// spaces, and its node(s) indented by four. Missing optional fields and empty lists are omitted;
// None entries inside lists (Dict keys, kw_defaults) print as `None`. Strings print as '...' with
// every byte outside printable ASCII (and ' and \) escaped as \xHH; bytes as b'...'; floats as
// float(0x<IEEE bits>). Match statements are normalized to their subject and the concatenation
// of their case bodies.
#include <cstdio>
#include <cstring>

#include "frontend/parser.h"

namespace nkic {

namespace {

using namespace ast;

class Dumper {
 public:
  std::string out;

  void module(const Module& m) {
    out += "Module\n";
    stmts(2, "body", m.body);
  }

 private:
  void indent(int n) { out.append(static_cast<size_t>(n), ' '); }

  void head(int ind, const char* type, const Span* sp) {
    indent(ind);
    out += type;
    if (sp) {
      char buf[64];
      std::snprintf(buf, sizeof buf, " %u:%u-%u:%u", sp->line, sp->col, sp->end_line, sp->end_col);
      out += buf;
    }
  }

  void quoted(std::string_view s) {
    out += '\'';
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
        out += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      }
    }
    out += '\'';
  }

  void str_field(const char* name, std::string_view v) {
    out += ' ';
    out += name;
    out += '=';
    quoted(v);
  }

  void field(int ind, const char* name) {
    indent(ind);
    out += name;
    out += ":\n";
  }

  void expr_field(int ind, const char* name, const Expr* e) {
    if (!e) return;
    field(ind, name);
    expr(ind + 2, e);
  }

  void exprs(int ind, const char* name, const std::vector<Expr*>& v) {
    if (v.empty()) return;
    field(ind, name);
    for (const Expr* e : v) {
      if (e) {
        expr(ind + 2, e);
      } else {
        indent(ind + 2);
        out += "None\n";
      }
    }
  }

  void stmts(int ind, const char* name, const std::vector<Stmt*>& v) {
    if (v.empty()) return;
    field(ind, name);
    for (const Stmt* s : v) stmt(ind + 2, s);
  }

  static const char* ctx_name(ExprContext c) {
    return c == ExprContext::Load ? "Load" : c == ExprContext::Store ? "Store" : "Del";
  }

  void ctx(ExprContext c) {
    out += " ctx=";
    out += ctx_name(c);
  }

  void float_bits(const char* type, double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    char buf[64];
    std::snprintf(buf, sizeof buf, " value=%s(0x%016llx)", type, static_cast<unsigned long long>(bits));
    out += buf;
  }

  void arg(int ind, const Arg& a) {
    head(ind, "arg", &a.span);
    str_field("arg", a.name);
    out += '\n';
    expr_field(ind + 2, "annotation", a.annotation);
  }

  void args_list(int ind, const char* name, const std::vector<Arg>& v) {
    if (v.empty()) return;
    field(ind, name);
    for (const Arg& a : v) arg(ind + 2, a);
  }

  void arguments(int ind, const Arguments* a) {
    head(ind, "arguments", nullptr);
    out += '\n';
    args_list(ind + 2, "posonlyargs", a->posonlyargs);
    args_list(ind + 2, "args", a->args);
    if (a->vararg) {
      field(ind + 2, "vararg");
      arg(ind + 4, *a->vararg);
    }
    args_list(ind + 2, "kwonlyargs", a->kwonlyargs);
    exprs(ind + 2, "kw_defaults", a->kw_defaults);
    if (a->kwarg) {
      field(ind + 2, "kwarg");
      arg(ind + 4, *a->kwarg);
    }
    exprs(ind + 2, "defaults", a->defaults);
  }

  void keywords(int ind, const std::vector<Keyword>& v) {
    if (v.empty()) return;
    field(ind, "keywords");
    for (const Keyword& k : v) {
      head(ind + 2, "keyword", &k.span);
      if (!k.arg.empty()) str_field("arg", k.arg);
      out += '\n';
      expr_field(ind + 4, "value", k.value);
    }
  }

  void generators(int ind, const std::vector<Comprehension>& v) {
    if (v.empty()) return;
    field(ind, "generators");
    for (const Comprehension& c : v) {
      head(ind + 2, "comprehension", nullptr);
      out += c.is_async ? " is_async=1\n" : " is_async=0\n";
      expr_field(ind + 4, "target", c.target);
      expr_field(ind + 4, "iter", c.iter);
      exprs(ind + 4, "ifs", c.ifs);
    }
  }

  void expr(int ind, const Expr* e) {
    head(ind, name_of(e->kind), &e->span);
    int c = ind + 2;
    switch (e->kind) {
      case ExprKind::BoolOp:
        out += std::string(" op=") + name_of(e->boolop) + "\n";
        exprs(c, "values", e->elts);
        break;
      case ExprKind::NamedExpr:
        out += '\n';
        expr_field(c, "target", e->a);
        expr_field(c, "value", e->b);
        break;
      case ExprKind::BinOp:
        out += std::string(" op=") + name_of(e->binop) + "\n";
        expr_field(c, "left", e->a);
        expr_field(c, "right", e->b);
        break;
      case ExprKind::UnaryOp:
        out += std::string(" op=") + name_of(e->unaryop) + "\n";
        expr_field(c, "operand", e->a);
        break;
      case ExprKind::Lambda:
        out += '\n';
        field(c, "args");
        arguments(c + 2, e->args);
        expr_field(c, "body", e->a);
        break;
      case ExprKind::IfExp:
        out += '\n';
        expr_field(c, "test", e->a);
        expr_field(c, "body", e->b);
        expr_field(c, "orelse", e->c);
        break;
      case ExprKind::Dict:
        out += '\n';
        exprs(c, "keys", e->keys);
        exprs(c, "values", e->elts);
        break;
      case ExprKind::Set:
        out += '\n';
        exprs(c, "elts", e->elts);
        break;
      case ExprKind::ListComp:
      case ExprKind::SetComp:
      case ExprKind::GeneratorExp:
        out += '\n';
        expr_field(c, "elt", e->a);
        generators(c, e->generators);
        break;
      case ExprKind::DictComp:
        out += '\n';
        expr_field(c, "key", e->a);
        expr_field(c, "value", e->b);
        generators(c, e->generators);
        break;
      case ExprKind::Await:
      case ExprKind::Yield:
      case ExprKind::YieldFrom:
        out += '\n';
        expr_field(c, "value", e->a);
        break;
      case ExprKind::Compare: {
        out += " ops=[";
        for (size_t i = 0; i < e->cmpops.size(); ++i) {
          if (i) out += ',';
          out += name_of(e->cmpops[i]);
        }
        out += "]\n";
        expr_field(c, "left", e->a);
        exprs(c, "comparators", e->elts);
        break;
      }
      case ExprKind::Call:
        out += '\n';
        expr_field(c, "func", e->a);
        exprs(c, "args", e->elts);
        keywords(c, e->keywords);
        break;
      case ExprKind::FormattedValue:
        out += " conversion=" + std::to_string(e->conversion) + "\n";
        expr_field(c, "value", e->a);
        expr_field(c, "format_spec", e->b);
        break;
      case ExprKind::JoinedStr:
        out += '\n';
        exprs(c, "values", e->elts);
        break;
      case ExprKind::Constant:
        switch (e->ckind) {
          case ConstKind::None: out += " value=None"; break;
          case ConstKind::Bool: out += e->bval ? " value=True" : " value=False"; break;
          case ConstKind::Int: out += " value=" + (e->big_int ? e->str : std::to_string(e->ival)); break;
          case ConstKind::Float: float_bits("float", e->fval); break;
          case ConstKind::Complex: float_bits("complex", e->fval); break;
          case ConstKind::Str: str_field("value", e->str); break;
          case ConstKind::Bytes:
            out += " value=b";
            quoted(e->str);
            break;
          case ConstKind::Ellipsis: out += " value=Ellipsis"; break;
        }
        if (!e->kind_u.empty()) str_field("kind", e->kind_u);
        out += '\n';
        break;
      case ExprKind::Attribute:
        str_field("attr", e->str);
        ctx(e->ctx);
        out += '\n';
        expr_field(c, "value", e->a);
        break;
      case ExprKind::Subscript:
        ctx(e->ctx);
        out += '\n';
        expr_field(c, "value", e->a);
        expr_field(c, "slice", e->b);
        break;
      case ExprKind::Starred:
        ctx(e->ctx);
        out += '\n';
        expr_field(c, "value", e->a);
        break;
      case ExprKind::Name:
        str_field("id", e->str);
        ctx(e->ctx);
        out += '\n';
        break;
      case ExprKind::List:
      case ExprKind::Tuple:
        ctx(e->ctx);
        out += '\n';
        exprs(c, "elts", e->elts);
        break;
      case ExprKind::Slice:
        out += '\n';
        expr_field(c, "lower", e->a);
        expr_field(c, "upper", e->b);
        expr_field(c, "step", e->c);
        break;
    }
  }

  void aliases(int ind, const std::vector<Alias>& v) {
    if (v.empty()) return;
    field(ind, "names");
    for (const Alias& a : v) {
      head(ind + 2, "alias", &a.span);
      str_field("name", a.name);
      if (!a.asname.empty()) str_field("asname", a.asname);
      out += '\n';
    }
  }

  void stmt(int ind, const Stmt* s) {
    head(ind, name_of(s->kind), &s->span);
    int c = ind + 2;
    switch (s->kind) {
      case StmtKind::FunctionDef:
      case StmtKind::AsyncFunctionDef:
        str_field("name", s->name);
        out += '\n';
        field(c, "args");
        arguments(c + 2, s->args);
        stmts(c, "body", s->body);
        exprs(c, "decorator_list", s->decorators);
        expr_field(c, "returns", s->returns);
        break;
      case StmtKind::ClassDef:
        str_field("name", s->name);
        out += '\n';
        exprs(c, "bases", s->bases);
        keywords(c, s->keywords);
        stmts(c, "body", s->body);
        exprs(c, "decorator_list", s->decorators);
        break;
      case StmtKind::Return:
        out += '\n';
        expr_field(c, "value", s->value);
        break;
      case StmtKind::Delete:
        out += '\n';
        exprs(c, "targets", s->targets);
        break;
      case StmtKind::Assign:
        out += '\n';
        exprs(c, "targets", s->targets);
        expr_field(c, "value", s->value);
        break;
      case StmtKind::AugAssign:
        out += std::string(" op=") + name_of(s->op) + "\n";
        expr_field(c, "target", s->target);
        expr_field(c, "value", s->value);
        break;
      case StmtKind::AnnAssign:
        out += s->simple ? " simple=1\n" : " simple=0\n";
        expr_field(c, "target", s->target);
        expr_field(c, "annotation", s->annotation);
        expr_field(c, "value", s->value);
        break;
      case StmtKind::For:
      case StmtKind::AsyncFor:
        out += '\n';
        expr_field(c, "target", s->target);
        expr_field(c, "iter", s->iter);
        stmts(c, "body", s->body);
        stmts(c, "orelse", s->orelse);
        break;
      case StmtKind::While:
      case StmtKind::If:
        out += '\n';
        expr_field(c, "test", s->test);
        stmts(c, "body", s->body);
        stmts(c, "orelse", s->orelse);
        break;
      case StmtKind::With:
      case StmtKind::AsyncWith:
        out += '\n';
        if (!s->items.empty()) {
          field(c, "items");
          for (const WithItem& w : s->items) {
            head(c + 2, "withitem", nullptr);
            out += '\n';
            expr_field(c + 4, "context_expr", w.context_expr);
            expr_field(c + 4, "optional_vars", w.optional_vars);
          }
        }
        stmts(c, "body", s->body);
        break;
      case StmtKind::Match:
        out += '\n';
        expr_field(c, "subject", s->value);
        stmts(c, "body", s->body);
        break;
      case StmtKind::Raise:
        out += '\n';
        expr_field(c, "exc", s->exc);
        expr_field(c, "cause", s->cause);
        break;
      case StmtKind::Try:
      case StmtKind::TryStar:
        out += '\n';
        stmts(c, "body", s->body);
        if (!s->handlers.empty()) {
          field(c, "handlers");
          for (const ExceptHandler& h : s->handlers) {
            head(c + 2, "ExceptHandler", &h.span);
            if (!h.name.empty()) str_field("name", h.name);
            out += '\n';
            expr_field(c + 4, "type", h.type);
            stmts(c + 4, "body", h.body);
          }
        }
        stmts(c, "orelse", s->orelse);
        stmts(c, "finalbody", s->finalbody);
        break;
      case StmtKind::Assert:
        out += '\n';
        expr_field(c, "test", s->test);
        expr_field(c, "msg", s->msg);
        break;
      case StmtKind::Import:
        out += '\n';
        aliases(c, s->names);
        break;
      case StmtKind::ImportFrom:
        if (!s->module.empty()) str_field("module", s->module);
        out += " level=" + std::to_string(s->level) + "\n";
        aliases(c, s->names);
        break;
      case StmtKind::Global:
      case StmtKind::Nonlocal:
        out += " names=[";
        for (size_t i = 0; i < s->identifiers.size(); ++i) {
          if (i) out += ',';
          quoted(s->identifiers[i]);
        }
        out += "]\n";
        break;
      case StmtKind::ExprStmt:
        out += '\n';
        expr_field(c, "value", s->value);
        break;
      case StmtKind::Pass:
      case StmtKind::Break:
      case StmtKind::Continue: out += '\n'; break;
    }
  }
};

}  // namespace

std::string dump_ast(const ast::Module& m) {
  Dumper d;
  d.module(m);
  return std::move(d.out);
}

}  // namespace nkic
