// The Python AST, mirroring CPython's `ast` module node for node (so dumps can be compared with
// CPython's), with exact spans. Nodes live in the Module's arenas and are referenced by raw pointer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/source.h"

namespace nkic::ast {

// Operators (BinOp/AugAssign), unary operators, boolean operators, comparison operators.
enum class BinOpKind : uint8_t {
  Add,
  Sub,
  Mult,
  MatMult,
  Div,
  Mod,
  Pow,
  LShift,
  RShift,
  BitOr,
  BitXor,
  BitAnd,
  FloorDiv
};
enum class UnaryOpKind : uint8_t { Invert, Not, UAdd, USub };
enum class BoolOpKind : uint8_t { And, Or };
enum class CmpOpKind : uint8_t { Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot, In, NotIn };
enum class ExprContext : uint8_t { Load, Store, Del };

const char* name_of(BinOpKind);    // CPython class names: "Add", "Sub", ...
const char* name_of(UnaryOpKind);  // "Invert", "Not", "UAdd", "USub"
const char* name_of(BoolOpKind);   // "And", "Or"
const char* name_of(CmpOpKind);    // "Eq", "NotEq", ..., "NotIn"

// clang-format off
#define NKIC_EXPR_KINDS(X)                                                                                            \
  X(BoolOp)                                                                                                            \
  X(NamedExpr)                                                                                                         \
  X(BinOp)                                                                                                             \
  X(UnaryOp) X(Lambda) X(IfExp) X(Dict) X(Set) X(ListComp) X(SetComp) X(DictComp) X(GeneratorExp) X(Await) X(Yield)    \
  X(YieldFrom) X(Compare) X(Call) X(FormattedValue) X(JoinedStr) X(Constant) X(Attribute) X(Subscript) X(Starred)      \
  X(Name) X(List) X(Tuple) X(Slice)
// clang-format on

enum class ExprKind : uint8_t {
#define X(k) k,
  NKIC_EXPR_KINDS(X)
#undef X
};
const char* name_of(ExprKind);

// clang-format off
#define NKIC_STMT_KINDS(X)                                                                                            \
  X(FunctionDef)                                                                                                       \
  X(AsyncFunctionDef)                                                                                                  \
  X(ClassDef)                                                                                                          \
  X(Return) X(Delete) X(Assign) X(AugAssign) X(AnnAssign) X(For) X(AsyncFor) X(While) X(If) X(With) X(AsyncWith)       \
  X(Match) X(Raise) X(Try) X(TryStar) X(Assert) X(Import) X(ImportFrom) X(Global) X(Nonlocal) X(ExprStmt) X(Pass)      \
  X(Break) X(Continue)
// clang-format on

enum class StmtKind : uint8_t {
#define X(k) k,
  NKIC_STMT_KINDS(X)
#undef X
};
const char* name_of(StmtKind);  // CPython names ("Expr" for ExprStmt)

struct Expr;
struct Stmt;
struct Arguments;

enum class ConstKind : uint8_t { None, Bool, Int, Float, Complex, Str, Bytes, Ellipsis };

struct Keyword {
  std::string arg;  // empty for **kwargs
  Expr* value = nullptr;
  Span span;
};

struct Comprehension {
  Expr* target = nullptr;
  Expr* iter = nullptr;
  std::vector<Expr*> ifs;
  bool is_async = false;
};

// One struct for all expressions; which fields are used depends on `kind` (documented per field).
struct Expr {
  ExprKind kind;
  Span span;
  ExprContext ctx = ExprContext::Load;  // Name, Attribute, Subscript, Starred, List, Tuple

  // Operators.
  BinOpKind binop{};              // BinOp
  UnaryOpKind unaryop{};          // UnaryOp
  BoolOpKind boolop{};            // BoolOp
  std::vector<CmpOpKind> cmpops;  // Compare

  // Constant payload. Ints that do not fit int64 keep their decimal text in `str` with big_int set.
  ConstKind ckind = ConstKind::None;
  bool bval = false;
  bool big_int = false;
  int64_t ival = 0;
  double fval = 0;     // Float, and the imaginary part of Complex
  std::string str;     // Name.id, Attribute.attr, Constant Str/Bytes value (bytes stored raw)
  std::string kind_u;  // Constant.kind: "u" for u"..." strings, else empty

  // Children, by kind:
  //  BoolOp: elts = values            NamedExpr: a = target, b = value
  //  BinOp: a = left, b = right       UnaryOp: a = operand
  //  Lambda: args, a = body           IfExp: a = test, b = body, c = orelse
  //  Dict: keys (nullptr for **d), elts = values       Set/List/Tuple: elts
  //  ListComp/SetComp/GeneratorExp: a = elt, generators     DictComp: a = key, b = value, generators
  //  Await/Yield/YieldFrom: a = value (nullable for Yield)  Compare: a = left, elts = comparators
  //  Call: a = func, elts = args, keywords
  //  FormattedValue: a = value, conversion (-1, 's', 'r', 'a'), b = format_spec (JoinedStr or nullptr)
  //  JoinedStr: elts = values (Constant str / FormattedValue)
  //  Attribute: a = value, str = attr      Subscript: a = value, b = slice
  //  Starred: a = value                    Name: str = id
  //  Slice: a = lower, b = upper, c = step (each nullable)
  Expr* a = nullptr;
  Expr* b = nullptr;
  Expr* c = nullptr;
  std::vector<Expr*> elts;
  std::vector<Expr*> keys;
  std::vector<Keyword> keywords;
  std::vector<Comprehension> generators;
  Arguments* args = nullptr;
  int conversion = -1;
};

struct Arg {
  std::string name;
  Expr* annotation = nullptr;
  Span span;
};

struct Arguments {
  std::vector<Arg> posonlyargs, args;
  Arg* vararg = nullptr;  // owned by the Module's arg arena
  std::vector<Arg> kwonlyargs;
  std::vector<Expr*> kw_defaults;  // one per kwonlyarg, nullptr when absent
  Arg* kwarg = nullptr;
  std::vector<Expr*> defaults;  // for the last len(defaults) positional args
};

struct Alias {
  std::string name;    // dotted name, or "*"
  std::string asname;  // empty if none
  Span span;
};

struct WithItem {
  Expr* context_expr = nullptr;
  Expr* optional_vars = nullptr;
};

struct ExceptHandler {
  Expr* type = nullptr;
  std::string name;
  std::vector<Stmt*> body;
  Span span;
};

struct MatchCase;  // match statements are parsed opaquely: body kept, patterns not modelled

struct Stmt {
  StmtKind kind;
  Span span;

  // Fields by kind:
  //  FunctionDef/AsyncFunctionDef: name, args, body, decorators, returns
  //  ClassDef: name, bases, keywords, body, decorators
  //  Return: value (nullable)        Delete: targets
  //  Assign: targets, value           AugAssign: target, op, value
  //  AnnAssign: target, annotation, value (nullable), simple
  //  For/AsyncFor: target, iter, body, orelse       While: test, body, orelse
  //  If: test, body, orelse           With/AsyncWith: items, body
  //  Match: value = subject, body = all case bodies concatenated (opaque)
  //  Raise: exc, cause (nullable)     Try/TryStar: body, handlers, orelse, finalbody
  //  Assert: test, msg (nullable)     Import: names      ImportFrom: module, names, level
  //  Global/Nonlocal: identifiers     ExprStmt: value
  std::string name;
  Arguments* args = nullptr;
  std::vector<Stmt*> body, orelse, finalbody;
  std::vector<Expr*> decorators;
  Expr* returns = nullptr;
  std::vector<Expr*> bases;
  std::vector<Keyword> keywords;
  Expr* value = nullptr;
  std::vector<Expr*> targets;
  Expr* target = nullptr;
  BinOpKind op{};
  Expr* annotation = nullptr;
  bool simple = false;
  Expr* iter = nullptr;
  Expr* test = nullptr;
  std::vector<WithItem> items;
  Expr* exc = nullptr;
  Expr* cause = nullptr;
  std::vector<ExceptHandler> handlers;
  Expr* msg = nullptr;
  std::vector<Alias> names;
  std::string module;  // ImportFrom (empty for `from . import x`)
  int level = 0;       // ImportFrom
  std::vector<std::string> identifiers;
};

// A parsed file: owns every node.
struct Module {
  SourceRef source;
  std::vector<Stmt*> body;

  Expr* new_expr(ExprKind k, Span s);
  Stmt* new_stmt(StmtKind k, Span s);
  Arguments* new_arguments();
  Arg* new_arg();

 private:
  std::vector<std::unique_ptr<Expr>> exprs_;
  std::vector<std::unique_ptr<Stmt>> stmts_;
  std::vector<std::unique_ptr<Arguments>> arguments_;
  std::vector<std::unique_ptr<Arg>> args_;
};

}  // namespace nkic::ast
