#include "frontend/parser.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nkic {
namespace {

using namespace ast;

struct Parsed {
  std::unique_ptr<Module> m;
  std::vector<Diagnostic> diags;
};

Parsed parse(const std::string& text) {
  Parsed p;
  p.m = parse_module(std::make_shared<SourceFile>("t.py", text), p.diags);
  return p;
}

std::string span_str(Span s) {
  return std::to_string(s.line) + ":" + std::to_string(s.col) + "-" + std::to_string(s.end_line) + ":" +
         std::to_string(s.end_col);
}

// A compact S-expression of an expression tree, for precedence tests.
std::string sx(const Expr* e) {
  if (!e) return "_";
  switch (e->kind) {
    case ExprKind::Name: return e->str;
    case ExprKind::Constant:
      if (e->ckind == ConstKind::Int) return e->big_int ? e->str : std::to_string(e->ival);
      if (e->ckind == ConstKind::Str) return "'" + e->str + "'";
      if (e->ckind == ConstKind::None) return "None";
      if (e->ckind == ConstKind::Bool) return e->bval ? "True" : "False";
      return "const";
    case ExprKind::BinOp: return std::string("(") + name_of(e->binop) + " " + sx(e->a) + " " + sx(e->b) + ")";
    case ExprKind::UnaryOp: return std::string("(") + name_of(e->unaryop) + " " + sx(e->a) + ")";
    case ExprKind::BoolOp: {
      std::string s = std::string("(") + name_of(e->boolop);
      for (const Expr* v : e->elts) s += " " + sx(v);
      return s + ")";
    }
    case ExprKind::Compare: {
      std::string s = "(Compare " + sx(e->a);
      for (size_t i = 0; i < e->elts.size(); ++i) s += std::string(" ") + name_of(e->cmpops[i]) + " " + sx(e->elts[i]);
      return s + ")";
    }
    case ExprKind::IfExp: return "(IfExp " + sx(e->a) + " " + sx(e->b) + " " + sx(e->c) + ")";
    case ExprKind::Lambda: return "(Lambda " + sx(e->a) + ")";
    case ExprKind::Await: return "(Await " + sx(e->a) + ")";
    case ExprKind::Call: {
      std::string s = "(Call " + sx(e->a);
      for (const Expr* v : e->elts) s += " " + sx(v);
      for (const Keyword& k : e->keywords) s += " " + (k.arg.empty() ? std::string("**") : k.arg + "=") + sx(k.value);
      return s + ")";
    }
    case ExprKind::Attribute: return "(. " + sx(e->a) + " " + e->str + ")";
    case ExprKind::Subscript: return "([] " + sx(e->a) + " " + sx(e->b) + ")";
    case ExprKind::Slice: return "(Slice " + sx(e->a) + " " + sx(e->b) + " " + sx(e->c) + ")";
    case ExprKind::Starred: return "(* " + sx(e->a) + ")";
    case ExprKind::NamedExpr: return "(:= " + sx(e->a) + " " + sx(e->b) + ")";
    case ExprKind::Tuple:
    case ExprKind::List: {
      std::string s = e->kind == ExprKind::Tuple ? "(Tuple" : "(List";
      for (const Expr* v : e->elts) s += " " + sx(v);
      return s + ")";
    }
    default: return name_of(e->kind);
  }
}

// The expression of the single expression statement in `src`.
const Expr* expr_of(const Parsed& p) {
  EXPECT_TRUE(p.diags.empty()) << (p.diags.empty() ? "" : render(p.diags));
  EXPECT_EQ(p.m->body.size(), 1u);
  if (p.m->body.empty()) return nullptr;
  const Stmt* s = p.m->body[0];
  if (s->kind == StmtKind::ExprStmt) return s->value;
  if (s->kind == StmtKind::Assign) return s->value;
  return nullptr;
}

std::string sx_of(const std::string& src) {
  Parsed p = parse(src);
  return sx(expr_of(p));
}

TEST(Parser, Precedence) {
  EXPECT_EQ(sx_of("-x**2"), "(USub (Pow x 2))");
  EXPECT_EQ(sx_of("2**-1"), "(Pow 2 (USub 1))");
  EXPECT_EQ(sx_of("a**b**c"), "(Pow a (Pow b c))");
  EXPECT_EQ(sx_of("not a == b"), "(Not (Compare a Eq b))");
  EXPECT_EQ(sx_of("a + b * c - d"), "(Sub (Add a (Mult b c)) d)");
  EXPECT_EQ(sx_of("a | b ^ c & d << e + f"), "(BitOr a (BitXor b (BitAnd c (LShift d (Add e f)))))");
  EXPECT_EQ(sx_of("a // b % c @ d / e"), "(Div (MatMult (Mod (FloorDiv a b) c) d) e)");
  EXPECT_EQ(sx_of("a or b and not c"), "(Or a (And b (Not c)))");
  EXPECT_EQ(sx_of("a or b or c"), "(Or a b c)");
  EXPECT_EQ(sx_of("a < b <= c is not d not in e"), "(Compare a Lt b LtE c IsNot d NotIn e)");
  EXPECT_EQ(sx_of("a if b else c if d else e"), "(IfExp b a (IfExp d c e))");
  EXPECT_EQ(sx_of("lambda: a if b else c"), "(Lambda (IfExp b a c))");
  EXPECT_EQ(sx_of("~a ** -b"), "(Invert (Pow a (USub b)))");
  EXPECT_EQ(sx_of("await a ** 2"), "(Pow (Await a) 2)");
  EXPECT_EQ(sx_of("-a.b(c)[d]"), "(USub ([] (Call (. a b) c) d))");
  EXPECT_EQ(sx_of("(a + b) * c"), "(Mult (Add a b) c)");
  EXPECT_EQ(sx_of("x[1:2, ::3]"), "([] x (Tuple (Slice 1 2 _) (Slice _ _ 3)))");
  EXPECT_EQ(sx_of("f(a, *b, c=1, **d)"), "(Call f a (* b) c=1 **d)");
  EXPECT_EQ(sx_of("(y := 5)"), "(:= y 5)");
  EXPECT_EQ(sx_of("x = 1, *y"), "(Tuple 1 (* y))");
}

TEST(Parser, CPythonSpans) {
  Parsed p = parse("(a + b) * c\n(1, 2)\n(x)\nf(x for x in y)\nf(a)(b)\n@dec\ndef g(a: int = 1): pass\nx = 1,\n");
  ASSERT_TRUE(p.diags.empty()) << render(p.diags);
  ASSERT_EQ(p.m->body.size(), 7u);
  // BinOp spans include the parentheses of a parenthesized operand, the group itself does not.
  EXPECT_EQ(span_str(p.m->body[0]->value->span), "1:0-1:11");
  EXPECT_EQ(span_str(p.m->body[0]->value->a->span), "1:1-1:6");
  // A parenthesized tuple includes its parentheses.
  EXPECT_EQ(span_str(p.m->body[1]->value->span), "2:0-2:6");
  // The expression statement of `(x)` spans the parentheses, its Name does not.
  EXPECT_EQ(span_str(p.m->body[2]->span), "3:0-3:3");
  EXPECT_EQ(span_str(p.m->body[2]->value->span), "3:1-3:2");
  // A generator expression as sole argument takes the call's parentheses.
  EXPECT_EQ(span_str(p.m->body[3]->value->elts[0]->span), "4:1-4:15");
  EXPECT_EQ(span_str(p.m->body[4]->value->span), "5:0-5:7");
  // A decorated def starts at `def`; an arg spans its annotation.
  const Stmt* g = p.m->body[5];
  EXPECT_EQ(span_str(g->span), "7:0-7:23");
  ASSERT_EQ(g->args->args.size(), 1u);
  EXPECT_EQ(span_str(g->args->args[0].span), "7:6-7:12");
  EXPECT_EQ(span_str(g->decorators[0]->span), "6:1-6:4");
  // An unparenthesized tuple includes its trailing comma.
  EXPECT_EQ(span_str(p.m->body[6]->value->span), "8:4-8:6");
}

TEST(Parser, Statements) {
  Parsed p = parse(
      "import a.b as c, d\n"
      "from ..m import (x, y as z,)\n"
      "a, *b = c = d\n"
      "x: int = 1\n"
      "x += 2\n"
      "for i, j in k:\n  continue\nelse:\n  pass\n"
      "while x: break\n"
      "with a as b, c: pass\n"
      "try:\n  pass\nexcept E as e:\n  raise X from e\nfinally:\n  pass\n"
      "class C(B, metaclass=M): pass\n"
      "async def f(a, /, b=1, *args, c, **kw) -> int:\n  return await g()\n"
      "del a[0], b.c\n"
      "global g\n"
      "assert x, 'm'\n"
      "match p:\n  case [1, 2] if q:\n    pass\n  case _:\n    r = 1\n");
  ASSERT_TRUE(p.diags.empty()) << render(p.diags);
  std::vector<StmtKind> kinds;
  for (const Stmt* s : p.m->body) kinds.push_back(s->kind);
  EXPECT_EQ(kinds, (std::vector<StmtKind>{StmtKind::Import, StmtKind::ImportFrom, StmtKind::Assign, StmtKind::AnnAssign,
                                          StmtKind::AugAssign, StmtKind::For, StmtKind::While, StmtKind::With,
                                          StmtKind::Try, StmtKind::ClassDef, StmtKind::AsyncFunctionDef,
                                          StmtKind::Delete, StmtKind::Global, StmtKind::Assert, StmtKind::Match}));
  const Stmt* imp = p.m->body[0];
  EXPECT_EQ(imp->names[0].name, "a.b");
  EXPECT_EQ(imp->names[0].asname, "c");
  EXPECT_EQ(span_str(imp->names[0].span), "1:7-1:15");
  const Stmt* from = p.m->body[1];
  EXPECT_EQ(from->module, "m");
  EXPECT_EQ(from->level, 2);
  EXPECT_EQ(from->names.size(), 2u);
  const Stmt* assign = p.m->body[2];
  EXPECT_EQ(assign->targets.size(), 2u);
  EXPECT_EQ(assign->targets[0]->ctx, ExprContext::Store);
  EXPECT_EQ(assign->targets[0]->elts[1]->kind, ExprKind::Starred);
  EXPECT_TRUE(p.m->body[3]->simple);
  EXPECT_EQ(p.m->body[4]->op, BinOpKind::Add);
  const Stmt* f = p.m->body[10];
  EXPECT_EQ(f->args->posonlyargs.size(), 1u);
  EXPECT_EQ(f->args->args.size(), 1u);
  EXPECT_EQ(f->args->defaults.size(), 1u);
  ASSERT_NE(f->args->vararg, nullptr);
  EXPECT_EQ(f->args->vararg->name, "args");
  EXPECT_EQ(f->args->kwonlyargs.size(), 1u);
  EXPECT_EQ(f->args->kw_defaults.size(), 1u);
  EXPECT_EQ(f->args->kw_defaults[0], nullptr);
  ASSERT_NE(f->args->kwarg, nullptr);
  EXPECT_EQ(p.m->body[11]->targets[0]->ctx, ExprContext::Del);
  const Stmt* match = p.m->body[14];
  EXPECT_EQ(sx(match->value), "p");
  EXPECT_EQ(match->body.size(), 2u);  // the case bodies, concatenated
  EXPECT_EQ(span_str(match->span), "24:0-28:9");
}

TEST(Parser, SoftKeywordMatchAsName) {
  Parsed p = parse("match = 1\nmatch(x)\nmatch.y = 2\ncase = 3\n");
  ASSERT_TRUE(p.diags.empty()) << render(p.diags);
  EXPECT_EQ(p.m->body.size(), 4u);
  EXPECT_EQ(p.m->body[1]->kind, StmtKind::ExprStmt);
}

TEST(Parser, Strings) {
  Parsed p = parse("s = 'a' \"b\" u'c'\nt = b'x' b'\\x00'\nf'{x!r:>{w}} {y=}'\n");
  ASSERT_TRUE(p.diags.empty()) << render(p.diags);
  const Expr* s = p.m->body[0]->value;
  EXPECT_EQ(s->ckind, ConstKind::Str);
  EXPECT_EQ(s->str, "abc");
  EXPECT_EQ(s->kind_u, "");
  EXPECT_EQ(span_str(s->span), "1:4-1:16");
  const Expr* t = p.m->body[1]->value;
  EXPECT_EQ(t->ckind, ConstKind::Bytes);
  EXPECT_EQ(t->str, std::string("x\0", 2));
  const Expr* j = p.m->body[2]->value;
  ASSERT_EQ(j->kind, ExprKind::JoinedStr);
  ASSERT_EQ(j->elts.size(), 3u);
  const Expr* fv = j->elts[0];
  EXPECT_EQ(fv->kind, ExprKind::FormattedValue);
  EXPECT_EQ(fv->conversion, 'r');
  EXPECT_EQ(sx(fv->a), "x");
  EXPECT_EQ(span_str(fv->a->span), "3:3-3:4");  // true position inside the f-string
  ASSERT_NE(fv->b, nullptr);
  EXPECT_EQ(fv->b->kind, ExprKind::JoinedStr);
  EXPECT_EQ(j->elts[1]->str, " y=");  // literal and self-documenting text merge
  EXPECT_EQ(j->elts[2]->conversion, 'r');
}

TEST(Parser, Numbers) {
  Parsed p = parse("x = (0x10, 1_000, 1.5, 2j, 123456789012345678901234567890, 1e999)\n");
  ASSERT_TRUE(p.diags.empty()) << render(p.diags);
  const auto& e = p.m->body[0]->value->elts;
  EXPECT_EQ(e[0]->ival, 16);
  EXPECT_EQ(e[1]->ival, 1000);
  EXPECT_EQ(e[2]->ckind, ConstKind::Float);
  EXPECT_DOUBLE_EQ(e[2]->fval, 1.5);
  EXPECT_EQ(e[3]->ckind, ConstKind::Complex);
  EXPECT_TRUE(e[4]->big_int);
  EXPECT_EQ(e[4]->str, "123456789012345678901234567890");
  EXPECT_EQ(e[5]->fval, HUGE_VAL);
}

struct ErrorCase {
  const char* src;
  uint32_t line;
  const char* message;
};

TEST(Parser, ErrorsMatchCPython) {
  const ErrorCase cases[] = {
      {"f(**x, *y)\n", 1, "iterable argument unpacking follows keyword argument unpacking"},
      {"x + = 1\n", 1, "invalid syntax"},
      {"1 = x\n", 1, "cannot assign to literal here. Maybe you meant '==' instead of '='?"},
      {"f() = 1\n", 1, "cannot assign to function call here. Maybe you meant '==' instead of '='?"},
      {"del f()\n", 1, "cannot delete function call"},
      {"(a, b): int\n", 1, "only single target (not tuple) can be annotated"},
      {"f() += 1\n", 1, "'function call' is an illegal expression for augmented assignment"},
      {"x = yield = 3\n", 1, "assignment to yield expression not possible"},
      {"f(a for a in b, c)\n", 1, "Generator expression must be parenthesized"},
      {"f(a=1, b)\n", 1, "positional argument follows keyword argument"},
      {"def f(a=1, b): pass\n", 1, "non-default argument follows default argument"},
      {"def f(*): pass\n", 1, "named arguments must follow bare *"},
      {"x = 1 if y\n", 1, "expected 'else' after 'if' expression"},
      {"from x import a,\n", 1, "trailing comma not allowed without surrounding parentheses"},
      {"try:\n  pass\n", 2, "expected 'except' or 'finally' block"},
      {"if x\n  pass\n", 1, "expected ':'"},
      {"if x:\npass\n", 2, "expected an indented block after 'if' statement on line 1"},
      {"def f():\n", 1, "expected an indented block after function definition on line 1"},
      {"  x = 1\n", 1, "unexpected indent"},
      {"x = (1,\n2\n", 1, "'(' was never closed"},
      {"f(\n a\n b)\n", 2, "invalid syntax. Perhaps you forgot a comma?"},
      {"(a.b := 1)\n", 1, "cannot use assignment expressions with attribute"},
      {"f'{a!x}'\n", 1, "f-string: invalid conversion character: expected 's', 'r', or 'a'"},
      {"f'{}'\n", 1, "f-string: empty expression not allowed"},
      {"'a' b'x'\n", 1, "cannot mix bytes and nonbytes literals"},
      {"x = 1\ny = $\n", 2, "invalid syntax"},
      {"try:\n pass\nexcept* E:\n pass\nexcept F:\n pass\n", 5,
       "cannot have both 'except' and 'except*' on the same 'try'"},
      // A later tokenizer error wins over a parser error, as in CPython.
      {"a b\nc = 'oops\n", 2, "unterminated string literal (detected at line 2)"},
  };
  for (const ErrorCase& c : cases) {
    Parsed p = parse(c.src);
    ASSERT_FALSE(p.diags.empty()) << c.src;
    EXPECT_EQ(p.diags[0].loc.span.line, c.line) << c.src << render(p.diags);
    EXPECT_EQ(p.diags[0].message, c.message) << c.src;
  }
}

TEST(Parser, AcceptsWhatCPythonAccepts) {
  const char* ok[] = {
      "return\n",  // ast.parse accepts these outside functions
      "break\n",
      "nonlocal x\n",
      "*a\n",
      "a = *b\n",
      "def f(a, a): pass\n",
      "f(a=1, a=2)\n",
      "x = 1if y else 2\n",
      "with (a as b, c as d,): pass\n",
      "with (a, b) as c: pass\n",
      "a[*b] = 1\n",
      "def f(*args: *Ts): pass\n",
      "lambda *, a=1: a\n",
      "print(match, case, _)\n",
      "x = [i async for i in y]\n",
      "@a.b(c)[d]\ndef f(): pass\n",
      "",
      "# only a comment",
      "\n\n\n",
  };
  for (const char* src : ok) {
    Parsed p = parse(src);
    EXPECT_TRUE(p.diags.empty()) << src << render(p.diags);
  }
}

TEST(Parser, RecoversAndReportsIndependentErrors) {
  Parsed p = parse("x = = 1\ndef f(a b):\n    pass\ny = 2\nz = )\nw = 3\n");
  ASSERT_EQ(p.diags.size(), 3u) << render(p.diags);
  EXPECT_EQ(p.diags[0].loc.span.line, 5u);  // the tokenizer error is CPython's first report
  EXPECT_EQ(p.diags[1].loc.span.line, 1u);
  EXPECT_EQ(p.diags[2].loc.span.line, 2u);
  // Statements around the errors still parsed.
  ASSERT_EQ(p.m->body.size(), 2u);
  EXPECT_EQ(p.m->body[0]->targets[0]->str, "y");
  EXPECT_EQ(p.m->body[1]->targets[0]->str, "w");
}

TEST(Parser, NeverCrashesOnHostileInput) {
  std::string deep(5000, '(');
  std::string unary(5000, '-');
  std::string nots;
  for (int i = 0; i < 3000; ++i) nots += "not ";
  const std::string inputs[] = {deep,         unary + "1\n", nots + "x\n", std::string("x = 1\0\n", 7),
                                "\xff\xfe\n", "f'{",         "'''",        "if x:\n\tif y:\n        z\n",
                                "@",          "def",         "lambda",     "x[",
                                "match x:\n", "class A(",    "\\",         "f'{a:{b:{c}}}'\n"};
  for (const std::string& in : inputs) {
    Parsed p = parse(in);
    EXPECT_FALSE(p.diags.empty()) << in.substr(0, 20);
  }
}

TEST(Parser, ErrorFloodsAreBounded) {
  // 300 nested brackets: one error, as in CPython (not one per bracket).
  Parsed a = parse(std::string(300, '(') + "\n");
  ASSERT_EQ(a.diags.size(), 1u);
  EXPECT_EQ(a.diags[0].message, "too many nested parentheses");
  // Thousands of bad lines: the first 100 diagnostics and a summary.
  std::string bad;
  for (int i = 0; i < 1000; ++i) bad += "x = = 1\n";
  Parsed b = parse(bad);
  ASSERT_EQ(b.diags.size(), 101u);
  EXPECT_EQ(b.diags.back().message, "900 more syntax errors in t.py not shown");
  EXPECT_FALSE(b.diags.back().loc.span.valid());
}

TEST(Parser, ParseOrThrow) {
  auto ok = parse_module_or_throw(std::make_shared<SourceFile>("k.py", "x = 1\n"));
  EXPECT_EQ(ok->body.size(), 1u);
  try {
    parse_module_or_throw(std::make_shared<SourceFile>("k.py", "x = (1,\n"));
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "File \"k.py\", line 1, col 5\n"
              "    x = (1,\n"
              "        ^\n"
              "error: '(' was never closed\n");
  }
}

TEST(Parser, DumpFormat) {
  Parsed p = parse("x = f(a, k=1.5)\n");
  ASSERT_TRUE(p.diags.empty());
  EXPECT_EQ(dump_ast(*p.m),
            "Module\n"
            "  body:\n"
            "    Assign 1:0-1:15\n"
            "      targets:\n"
            "        Name 1:0-1:1 id='x' ctx=Store\n"
            "      value:\n"
            "        Call 1:4-1:15\n"
            "          func:\n"
            "            Name 1:4-1:5 id='f' ctx=Load\n"
            "          args:\n"
            "            Name 1:6-1:7 id='a' ctx=Load\n"
            "          keywords:\n"
            "            keyword 1:9-1:14 arg='k'\n"
            "              value:\n"
            "                Constant 1:11-1:14 value=float(0x3ff8000000000000)\n");
}

}  // namespace
}  // namespace nkic
