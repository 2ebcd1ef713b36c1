// nkic migrate: Beta 1 -> NKI 0.3.0 (legacy-spec.md §8). One pass over the AST of each function collects
// findings and text edits; the edits are then applied from the end of the file so earlier spans stay valid.
// Index grids are resolved syntactically: `g = [OFF +] nl.arange(N)[:, None]` (or `[None, :]`) in the same
// function makes `t[E + g, ...]` the slice `E + OFF:E + OFF + N`, and `mask=(g < B)` clamps that slice to B.
#include "api/migrate.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "frontend/parser.h"

namespace nkic::api {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

struct Grid {
  int axis = 0, ndim = 2;
  std::string offset;  // "" for none
  std::string size;
  const Stmt* def = nullptr;
};

struct Edit {
  size_t begin, end;
  std::string text;
};

// The dotted name of an attribute chain (`nl.load` -> "nl.load"), or "" if it is not one.
std::string dotted(const Expr* e) {
  if (!e) return "";
  if (e->kind == ExprKind::Name) return e->str;
  if (e->kind == ExprKind::Attribute) {
    std::string base = dotted(e->a);
    return base.empty() ? "" : base + "." + e->str;
  }
  return "";
}

const ast::Keyword* keyword(const Expr* call, const std::string& name) {
  for (auto& k : call->keywords)
    if (k.arg == name) return &k;
  return nullptr;
}

// ISA calls that return a tile in Beta 1 and take `dst` first in 0.3.0 with the same argument order after it;
// the value is how the result's shape and buffer are derived from the arguments.
const std::map<std::string, std::string>& isa_results() {
  static const std::map<std::string, std::string> m = {
      {"tensor_tensor", "data1"}, {"tensor_scalar", "data"}, {"activation", "data"},       {"tensor_copy", "src"},
      {"reciprocal", "data"},     {"nc_matmul", "matmul"},   {"nc_transpose", "transpose"}};
  return m;
}
// Beta 1 positional index of the argument the shape comes from (activation(op, data): 1; others: 0).
int shape_arg(const std::string& fn) { return fn == "activation" ? 1 : 0; }

const std::map<ast::BinOpKind, std::string>& tile_ops() {
  static const std::map<ast::BinOpKind, std::string> m = {{ast::BinOpKind::Add, "nl.add"},
                                                          {ast::BinOpKind::Sub, "nl.subtract"},
                                                          {ast::BinOpKind::Mult, "nl.multiply"},
                                                          {ast::BinOpKind::Div, "nl.divide"},
                                                          {ast::BinOpKind::BitAnd, "nl.bitwise_and"},
                                                          {ast::BinOpKind::BitOr, "nl.bitwise_or"},
                                                          {ast::BinOpKind::BitXor, "nl.bitwise_xor"}};
  return m;
}

class Migrator {
 public:
  explicit Migrator(SourceRef src) : src_(std::move(src)), text_(src_->text()) {}

  MigrateResult run(const ast::Module& m) {
    for (const Stmt* s : m.body) stmt(s);
    MigrateResult r;
    std::sort(findings_.begin(), findings_.end(), [](const MigrateFinding& a, const MigrateFinding& b) {
      return a.line != b.line ? a.line < b.line : a.col < b.col;
    });
    if (uses_nisa_ && !has_nisa_ && last_import_)  // the rewrite calls nisa: import it
      edits_.push_back({last_import_, last_import_, "\nimport nki.isa as nisa"});
    r.findings = findings_;
    // Comments go at the start of their line (an insertion edit), after the line's edits.
    for (auto& [line, notes] : comments_) {
      size_t at = line_start(line);
      std::string ind = indent_of(line), text;
      for (auto& n : notes) text += ind + "# nkic migrate: " + n + "\n";
      edits_.push_back({at, at, text});
    }
    std::stable_sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
    std::string out = text_;
    size_t limit = out.size();
    for (const Edit& e : edits_) {
      if (e.end > limit) continue;  // overlaps a later edit: keep the later one
      out.replace(e.begin, e.end - e.begin, e.text);
      limit = e.begin;
    }
    r.fixed_source = out;
    return r;
  }

 private:
  SourceRef src_;
  const std::string& text_;
  std::vector<MigrateFinding> findings_;
  std::vector<Edit> edits_;
  std::map<uint32_t, std::vector<std::string>> comments_;
  bool uses_nisa_ = false, has_nisa_ = false;  // a fix calls nisa; the file imports it as nisa
  size_t last_import_ = 0;                     // end of the last neuronxcc import
  std::set<std::string> opaque_;               // grids we cannot turn into slices (nl.mgrid, ...)
  // Per function being migrated:
  std::map<std::string, Grid> grids_;
  std::map<std::string, int> grid_uses_, grid_converted_;
  std::set<std::string> tiles_;                   // names bound to tiles
  std::map<std::string, std::string> tile_mask_;  // tile -> the mask text its masked load was clamped by

  size_t line_start(uint32_t line) const { return static_cast<size_t>(src_->line(line).data() - text_.data()); }
  size_t off(uint32_t line, uint32_t col) const { return line_start(line) + col; }
  std::string txt(const Expr* e) const {
    size_t b = off(e->span.line, e->span.col), en = off(e->span.end_line, e->span.end_col);
    return text_.substr(b, en - b);
  }
  std::string indent_of(uint32_t line) const {
    std::string_view l = src_->line(line);
    return std::string(l.substr(0, l.find_first_not_of(" \t")));
  }
  void replace(Span s, std::string text) {
    if (text.find("nisa.") != std::string::npos) uses_nisa_ = true;
    edits_.push_back({off(s.line, s.col), off(s.end_line, s.end_col), std::move(text)});
  }
  void fixed(Span s, std::string construct, std::string replacement) {
    findings_.push_back({s.line, s.col + 1, std::move(construct), std::move(replacement), true});
  }
  void note(Span s, std::string construct, std::string replacement, uint32_t comment_line = 0) {
    findings_.push_back({s.line, s.col + 1, construct, replacement, false});
    comments_[comment_line ? comment_line : s.line].push_back(construct + " -> " + replacement);
  }

  // ------------------------------------------------------------------ statements

  void body(const std::vector<Stmt*>& b) {
    for (const Stmt* s : b) stmt(s);
  }

  void stmt(const Stmt* s) {
    switch (s->kind) {
      case StmtKind::Import:
      case StmtKind::ImportFrom: return import(s);
      case StmtKind::FunctionDef: return function(s);
      case StmtKind::For:
      case StmtKind::While:
      case StmtKind::If:
        scan(s->iter ? s->iter : s->test, s);
        body(s->body);
        body(s->orelse);
        return;
      case StmtKind::With:
      case StmtKind::Try:
        body(s->body);
        for (auto& h : s->handlers) body(h.body);
        body(s->orelse);
        body(s->finalbody);
        return;
      case StmtKind::ClassDef: return body(s->body);
      default: break;
    }
    auto counted = grid_converted_;  // a rewrite that gives up must not count the grid uses it converted
    if ((s->kind == StmtKind::Assign && assign(s)) || (s->kind == StmtKind::AugAssign && aug_assign(s)) ||
        (s->kind == StmtKind::ExprStmt && s->value->kind == ExprKind::Call && expr_call(s)))
      return;
    grid_converted_ = counted;
    scan_stmt(s);
  }

  void import(const Stmt* s) {
    for (auto& a : s->names)
      if (a.asname == "nisa" || (a.name == "isa" && a.asname.empty())) has_nisa_ = true;
    if (s->module.rfind("neuronxcc", 0) == 0 ||
        std::any_of(s->names.begin(), s->names.end(), [](auto& a) { return a.name.rfind("neuronxcc", 0) == 0; }))
      last_import_ = off(s->span.end_line, s->span.end_col);
    if (s->kind == StmtKind::ImportFrom) {
      if (s->module == "neuronxcc" && s->names.size() == 1 && s->names[0].name == "nki") {
        std::string as = s->names[0].asname.empty() || s->names[0].asname == "nki" ? "" : " as " + s->names[0].asname;
        replace(s->span, "import nki" + as);
        fixed(s->span, "from neuronxcc import nki", "import nki");
      } else if (s->module.rfind("neuronxcc.nki", 0) == 0) {
        std::string mod = "nki" + s->module.substr(13);
        if (mod == "nki.compiler")
          return note(s->span, "from neuronxcc.nki.compiler import ...",
                      "no 0.3.0 counterpart (nki.compiler is not ncc)");
        std::string t = txt_stmt(s);
        size_t at = t.find(s->module);
        replace(s->span, t.substr(0, at) + mod + t.substr(at + s->module.size()));
        fixed(s->span, "from " + s->module + " import ...", "from " + mod + " import ...");
      }
      return;
    }
    for (auto& a : s->names) {
      if (a.name.rfind("neuronxcc", 0) != 0) continue;
      if (a.name == "neuronxcc.nki.compiler") {
        note(a.span, "import neuronxcc.nki.compiler",
             "remove: direct allocation becomes nl.ndarray(..., address=...), the decorators have no 0.3.0 form");
        continue;
      }
      std::string mod = a.name.rfind("neuronxcc.nki", 0) == 0 ? "nki" + a.name.substr(13) : "nki";
      replace(a.span, mod + (a.asname.empty() ? "" : " as " + a.asname));
      fixed(a.span, "import " + a.name, "import " + mod);
    }
  }
  std::string txt_stmt(const Stmt* s) const {
    size_t b = off(s->span.line, s->span.col), en = off(s->span.end_line, s->span.end_col);
    return text_.substr(b, en - b);
  }

  void function(const Stmt* s) {
    for (const Expr* d : s->decorators) decorator(d);
    auto saved_grids = grids_;
    auto saved_tiles = tiles_;
    auto saved_masks = tile_mask_;
    std::map<std::string, int> saved_uses = grid_uses_, saved_conv = grid_converted_;
    grid_uses_.clear();
    grid_converted_.clear();
    count_names(s->body);
    body(s->body);
    // A grid whose every use became a slice is dead: its definition goes.
    for (auto& [name, g] : grids_) {
      if (!g.def || saved_grids.count(name)) continue;
      if (grid_converted_[name] == grid_uses_[name]) {
        size_t b = line_start(g.def->span.line), e = off(g.def->span.end_line, g.def->span.end_col);
        if (e < text_.size() && text_[e] == '\n') ++e;
        edits_.push_back({b, e, ""});
        fixed(g.def->span, "index grid '" + name + "'", "slices (definition removed)");
      } else {
        note(g.def->span, "index grid '" + name + "' (nl.arange)", "slices or nl.ds(start, size)");
      }
    }
    grids_ = saved_grids;
    tiles_ = saved_tiles;
    tile_mask_ = saved_masks;
    grid_uses_ = saved_uses;
    grid_converted_ = saved_conv;
  }

  void count_names(const std::vector<Stmt*>& b) {
    for (const Stmt* s : b) {
      for_each_expr(s, [&](const Expr* e) {
        if (e->kind == ExprKind::Name && e->ctx == ast::ExprContext::Load) ++grid_uses_[e->str];
      });
      count_names(s->body);
      count_names(s->orelse);
    }
  }

  void decorator(const Expr* d) {
    std::string n = dotted(d->kind == ExprKind::Call ? d->a : d);
    if (n == "nki.jit" && d->kind == ExprKind::Call && (!d->elts.empty() || !d->keywords.empty())) {
      replace(d->span, "nki.jit");
      fixed(d->span, "nki.jit(" + txt_args(d) + ")", "@nki.jit (mode ignored; NEURON_PLATFORM_TARGET_OVERRIDE)");
    } else if (n == "nki.baremetal") {
      replace(d->span, "nki.jit");
      fixed(d->span, "@nki.baremetal", "@nki.jit (run with nki.simulate(kernel)(*args))");
    } else if (n == "nki.benchmark" || n == "nki.profile") {
      note(d->span, "@" + n, "removed: @nki.jit, time with the profiler (nkic.profile)");
    } else if (n.rfind("ncc.", 0) == 0) {
      note(d->span, "@" + n, "removed in 0.3.0");
    }
  }
  std::string txt_args(const Expr* call) const {
    std::string t = txt(call);
    size_t p = t.find('(');
    return p == std::string::npos ? "" : t.substr(p + 1, t.size() - p - 2);
  }

  // ------------------------------------------------------------------ grids and masks

  // `nl.arange(N)[:, None]`, `[None, :]`: axis and rank; `OFF + <that>`.
  bool grid_def(const Expr* e, Grid& g) {
    if (e->kind == ExprKind::BinOp && e->binop == ast::BinOpKind::Add) {
      if (grid_def(e->b, g) && g.offset.empty()) {
        g.offset = txt(e->a);
        return true;
      }
      return false;
    }
    if (e->kind != ExprKind::Subscript || e->a->kind != ExprKind::Call || dotted(e->a->a) != "nl.arange") return false;
    const Expr* call = e->a;
    if (call->elts.size() == 1)
      g.size = txt(call->elts[0]);
    else if (call->elts.size() == 2)
      g.offset = txt(call->elts[0]), g.size = "(" + txt(call->elts[1]) + ") - (" + txt(call->elts[0]) + ")";
    else
      return false;
    const Expr* idx = e->b;
    if (idx->kind != ExprKind::Tuple) return false;
    int axis = -1;
    for (size_t i = 0; i < idx->elts.size(); ++i) {
      const Expr* x = idx->elts[i];
      if (x->kind == ExprKind::Slice && !x->a && !x->b && !x->c) {
        if (axis >= 0) return false;
        axis = static_cast<int>(i);
      } else if (!(x->kind == ExprKind::Constant && x->ckind == ast::ConstKind::None)) {
        return false;
      }
    }
    g.axis = axis;
    g.ndim = static_cast<int>(idx->elts.size());
    return axis >= 0;
  }

  // mask= as per-grid upper bounds (`g < B` joined by `&`); false if it has any other form.
  bool mask_bounds(const Expr* m, std::map<std::string, std::string>& bounds) {
    if (m->kind == ExprKind::BinOp && m->binop == ast::BinOpKind::BitAnd)
      return mask_bounds(m->a, bounds) && mask_bounds(m->b, bounds);
    if (m->kind == ExprKind::Compare && m->cmpops.size() == 1 && m->cmpops[0] == ast::CmpOpKind::Lt &&
        m->a->kind == ExprKind::Name && grids_.count(m->a->str) && !refs_grid(m->elts[0])) {
      bounds[m->a->str] = txt(m->elts[0]);
      ++grid_converted_[m->a->str];
      return true;
    }
    return false;
  }

  bool refs_grid(const Expr* e) {
    bool found = false;
    visit(e, [&](const Expr* x) {
      if (x->kind == ExprKind::Name && (grids_.count(x->str) || opaque_.count(x->str))) found = true;
      if (x->kind == ExprKind::Call && dotted(x->a) == "nl.arange") found = true;
      if (x->kind == ExprKind::Attribute && dotted(x) == "nl.mgrid") found = true;
    });
    return found;
  }

  // One index `E + g` / `g` / `g + E` as a slice; "" if not a plain grid index.
  std::string grid_index(const Expr* e, size_t pos, size_t n, const std::map<std::string, std::string>& bounds) {
    const Expr* gname = nullptr;
    std::string extra;
    if (e->kind == ExprKind::Name && grids_.count(e->str)) {
      gname = e;
    } else if (e->kind == ExprKind::BinOp && e->binop == ast::BinOpKind::Add) {
      if (e->b->kind == ExprKind::Name && grids_.count(e->b->str) && !refs_grid(e->a))
        gname = e->b, extra = txt(e->a);
      else if (e->a->kind == ExprKind::Name && grids_.count(e->a->str) && !refs_grid(e->b))
        gname = e->a, extra = txt(e->b);
    }
    if (!gname) return "";
    const Grid& g = grids_.at(gname->str);
    if (g.axis != static_cast<int>(pos) || g.ndim != static_cast<int>(n)) return "";
    std::string lo = extra.empty() ? g.offset : g.offset.empty() ? extra : extra + " + " + g.offset;
    if (lo.empty()) lo = "0";
    std::string hi = (lo == "0" ? "" : lo + " + ") + g.size;
    if (auto b = bounds.find(gname->str); b != bounds.end()) {
      if (extra.empty())
        hi = "min(" + hi + ", " + b->second + ")";
      else
        hi = lo + " + min(" + g.size + ", " + b->second + (g.offset.empty() ? "" : " - (" + g.offset + ")") + ")";
    }
    ++grid_converted_[gname->str];
    return lo + ":" + hi;
  }

  // `t[i, j]` with grid indices as `t[a:b, c:d]`; the text itself if no grid is used; "" if not convertible.
  std::string subscript(const Expr* e, const std::map<std::string, std::string>& bounds) {
    if (!refs_grid(e)) return txt(e);
    if (e->kind != ExprKind::Subscript || refs_grid(e->a)) return "";
    std::vector<const Expr*> idx;
    if (e->b->kind == ExprKind::Tuple)
      idx.assign(e->b->elts.begin(), e->b->elts.end());
    else
      idx.push_back(e->b);
    std::string out = txt(e->a) + "[";
    for (size_t i = 0; i < idx.size(); ++i) {
      std::string s = refs_grid(idx[i]) ? grid_index(idx[i], i, idx.size(), bounds) : txt(idx[i]);
      if (s.empty()) return "";
      out += (i ? ", " : "") + s;
    }
    return out + "]";
  }

  // mask= of a call: true (with `bounds`) when absent or convertible.
  bool call_mask(const Expr* call, std::map<std::string, std::string>& bounds, std::string& mask_text) {
    const ast::Keyword* k = keyword(call, "mask");
    if (!k) return true;
    mask_text = txt(k->value);
    return mask_bounds(k->value, bounds);
  }

  // The call's arguments as text, without `mask=` and `dtype=`; `first` is prepended.
  std::string args_without(const Expr* call, const std::string& first, bool drop_dtype) {
    std::string out = first;
    for (const Expr* a : call->elts) out += (out.empty() ? "" : ", ") + txt(a);
    for (auto& k : call->keywords) {
      if (k.arg == "mask" || (drop_dtype && k.arg == "dtype")) continue;
      out += (out.empty() ? "" : ", ") + (k.arg.empty() ? "**" + txt(k.value) : k.arg + "=" + txt(k.value));
    }
    return out;
  }

  // ------------------------------------------------------------------ rewrites

  // `t = ...`: grids, loads, ISA calls that return tiles, operators on tiles.
  bool assign(const Stmt* s) {
    if (s->targets.size() != 1) return false;
    const Expr* t = s->targets[0];
    const Expr* v = s->value;
    Grid g;
    if (t->kind == ExprKind::Name && grid_def(v, g) && !refs_grid(v->kind == ExprKind::BinOp ? v->a : nullptr)) {
      g.def = s;
      grids_[t->str] = g;
      return true;
    }
    if (refs_grid(v) && (t->kind == ExprKind::Name || t->kind == ExprKind::Tuple) &&
        (v->kind != ExprKind::Call || dotted(v->a).rfind("nl.", 0) != 0 || dotted(v->a) == "nl.arange")) {
      // An index grid we do not resolve (nl.mgrid, arithmetic on grids): uses of it stay as they are.
      visit(t, [&](const Expr* x) {
        if (x->kind == ExprKind::Name) opaque_.insert(x->str);
      });
      return false;
    }
    if (t->kind == ExprKind::Name && v->kind == ExprKind::BinOp && tile_ops().count(v->binop) &&
        v->a->kind == ExprKind::Name && v->b->kind == ExprKind::Name && tiles_.count(v->a->str) &&
        tiles_.count(v->b->str)) {
      replace(v->span, tile_ops().at(v->binop) + "(" + txt(v->a) + ", " + txt(v->b) + ")");
      fixed(v->span, "operator on tiles '" + txt(v) + "'", tile_ops().at(v->binop) + "(...)");
      tiles_.insert(t->str);
      return true;
    }
    if (v->kind != ExprKind::Call) return false;
    std::string fn = dotted(v->a);
    std::string ind = indent_of(s->span.line);
    if (fn == "nl.load" && v->elts.size() == 1) {
      std::map<std::string, std::string> bounds;
      std::string mask;
      std::string src = call_mask(v, bounds, mask) ? subscript(v->elts[0], bounds) : "";
      if (src.empty()) return false;
      const ast::Keyword* dt = keyword(v, "dtype");
      std::string dtype = dt ? txt(dt->value) : src + ".dtype";
      std::string dst = txt(t);
      if (t->kind == ExprKind::Name) {
        replace(s->span, dst + " = nl.ndarray(" + src + ".shape, dtype=" + dtype + ", buffer=nl.sbuf)\n" + ind +
                             "nisa.dma_copy(dst=" + dst + ", src=" + src + ")");
        tiles_.insert(dst);
        if (!mask.empty()) tile_mask_[dst] = mask;
      } else {
        std::string d = subscript(t, {});
        if (d.empty() || dt) return false;
        replace(s->span, "nisa.dma_copy(dst=" + d + ", src=" + src + ")");
      }
      fixed(v->span, "nl.load(...)", "nisa.dma_copy(dst=<tile>, src=...) into a declared nl.ndarray");
      return true;
    }
    if (fn.rfind("nisa.", 0) == 0 && t->kind == ExprKind::Name && isa_results().count(fn.substr(5))) {
      std::string op = fn.substr(5);
      if (keyword(v, "mask")) return false;
      const ast::Keyword* dt = keyword(v, "dtype");
      size_t si = static_cast<size_t>(shape_arg(op));
      if (v->elts.size() <= si + (op == "nc_matmul" ? 1 : 0)) return false;
      std::string a0 = txt(v->elts[si]), shape, dtype, buffer = "nl.sbuf";
      if (op == "nc_matmul") {
        shape = "(" + a0 + ".shape[1], " + txt(v->elts[1]) + ".shape[1])";
        dtype = "nl.float32", buffer = "nl.psum";
      } else if (op == "nc_transpose") {
        shape = "(" + a0 + ".shape[1], " + a0 + ".shape[0])";
        dtype = dt ? txt(dt->value) : a0 + ".dtype", buffer = "nl.psum";
      } else {
        shape = a0 + ".shape";
        dtype = dt ? txt(dt->value) : a0 + ".dtype";
      }
      std::string dst = txt(t);
      replace(s->span, dst + " = nl.ndarray(" + shape + ", dtype=" + dtype + ", buffer=" + buffer + ")\n" + ind + fn +
                           "(" + args_without(v, dst, true) + ")");
      fixed(v->span, fn + "(...) returning a tile", fn + "(dst, ...) into a declared nl.ndarray");
      tiles_.insert(dst);
      return true;
    }
    if (fn.rfind("nl.", 0) == 0 && t->kind == ExprKind::Name) {
      // 0.3.0 keeps nl's tile-returning calls; mask= goes when its operand is already clamped by it.
      if (const ast::Keyword* k = keyword(v, "mask")) {
        bool same = !v->elts.empty() && v->elts[0]->kind == ExprKind::Name && tile_mask_.count(v->elts[0]->str) &&
                    tile_mask_[v->elts[0]->str] == txt(k->value);
        if (!same) return false;
        std::map<std::string, std::string> b;
        mask_bounds(k->value, b);  // counts the grid uses it had
        replace(v->span, fn + "(" + args_without(v, "", false) + ")");
        fixed(k->span, "mask=" + txt(k->value), "dropped: the operand is the clamped tile");
        tile_mask_[t->str] = txt(k->value);
        for (const Expr* a : v->elts) scan(a, s);
        for (auto& kw : v->keywords)
          if (kw.arg != "mask") scan(kw.value, s);
      } else {
        scan(v, s);
      }
      tiles_.insert(t->str);
      return true;
    }
    return false;
  }

  // `acc += nl.matmul(x, y, transpose_x=True)` / `acc += nisa.nc_matmul(a, b)`: a PSUM accumulation.
  bool aug_assign(const Stmt* s) {
    const Expr* v = s->value;
    if (s->op != ast::BinOpKind::Add || v->kind != ExprKind::Call || v->elts.size() != 2) return false;
    std::string fn = dotted(v->a);
    bool ok = fn == "nisa.nc_matmul" ? v->keywords.empty()
              : fn == "nl.matmul"    ? v->keywords.size() == 1 && v->keywords[0].arg == "transpose_x" &&
                                        txt(v->keywords[0].value) == "True"
                                  : false;
    if (!ok) return false;
    replace(s->span, "nisa.nc_matmul(" + txt(s->target) + ", " + txt(v->elts[0]) + ", " + txt(v->elts[1]) +
                         ", accumulate=True)");
    fixed(s->span, txt(s->target) + " += " + fn + "(...)", "nisa.nc_matmul(acc, a, b, accumulate=True)");
    return true;
  }

  // Statement calls: nl.store, nki.simulate_kernel.
  bool expr_call(const Stmt* s) {
    const Expr* v = s->value;
    std::string fn = dotted(v->a);
    if (fn == "nl.store") {
      const Expr* dst = v->elts.empty() ? nullptr : v->elts[0];
      const ast::Keyword* kv = keyword(v, "value");
      const Expr* val = kv ? kv->value : v->elts.size() > 1 ? v->elts[1] : nullptr;
      if (!dst || !val || refs_grid(val)) return false;
      std::map<std::string, std::string> bounds;
      std::string mask;
      std::string d = call_mask(v, bounds, mask) ? subscript(dst, bounds) : "";
      if (d.empty()) return false;
      if (!mask.empty() && !(val->kind == ExprKind::Name && tile_mask_.count(val->str) && tile_mask_[val->str] == mask))
        return false;
      replace(s->span, "nisa.dma_copy(dst=" + d + ", src=" + txt(val) + ")");
      fixed(v->span, "nl.store(...)", "nisa.dma_copy(dst=..., src=<tile>)");
      scan(val, s);
      return true;
    }
    return false;
  }

  void simulate_kernel(const Expr* v) {
    std::string rest;
    for (size_t i = 1; i < v->elts.size(); ++i) rest += (i > 1 ? ", " : "") + txt(v->elts[i]);
    for (auto& k : v->keywords)
      rest += (rest.empty() ? "" : ", ") + (k.arg.empty() ? "**" + txt(k.value) : k.arg + "=" + txt(k.value));
    replace(v->span, "nki.simulate(" + txt(v->elts[0]) + ")(" + rest + ")");
    fixed(v->span, "nki.simulate_kernel(k, *args)", "nki.simulate(k)(*args)");
  }

  // ------------------------------------------------------------------ what is left: comments

  void scan_stmt(const Stmt* s) {
    for_each_expr(s, [&](const Expr* e) { flag(e, s); });
  }
  void scan(const Expr* e, const Stmt* s) {
    if (e) visit(e, [&](const Expr* x) { flag(x, s); });
  }

  void flag(const Expr* e, const Stmt* s) {
    if (e->kind == ExprKind::Call) {
      std::string fn = dotted(e->a);
      static const std::map<std::string, std::string> calls = {
          {"nl.load", "nisa.dma_copy(dst=<declared tile>, src=...)"},
          {"nl.store", "nisa.dma_copy(dst=..., src=<tile>)"},
          {"nl.arange", "slices, nl.ds, or .ap(pattern=[[step, num], ...])"},
          {"nl.par_dim", "P as dim 0: a list of tiles, (P, B, F), or a tile declared in the loop"},
          {"nki.baremetal", "nki.jit with NumPy arguments"},
          {"nki.benchmark", "nkic.profile(kernel, *args).latency_us"},
          {"nki.profile", "nkic.profile(kernel, *args).to_perfetto(path)"},
          {"nisa.iota", "nisa.iota(dst, pattern, offset, channel_multiplier)"},
          {"nisa.affine_select", "nisa.affine_select(dst, pattern, channel_multiplier, ...)"},
          {"nisa.memset", "nisa.memset(dst, value)"},
          {"nisa.nc_stream_shuffle", "nisa.nc_stream_shuffle(dst, src, shuffle_mask)"},
          {"nisa.tensor_copy_dynamic_src", ".ap(..., scalar_offset=, indirect_dim=0)"},
          {"nisa.tensor_copy_dynamic_dst", ".ap(..., scalar_offset=, indirect_dim=0)"},
          {"nl.spmd_dim", "kernel[lnc], lnc in {1, 2}"},
          {"nl.nc", "kernel[lnc], lnc in {1, 2}"}};
      if (fn == "nki.simulate_kernel" && !e->elts.empty()) return simulate_kernel(e);
      if (auto it = calls.find(fn); it != calls.end()) return note(e->span, fn + "(...)", it->second, s->span.line);
      if (fn.rfind("ncc.", 0) == 0)
        return note(e->span, fn + "(...)", "nl.ndarray(..., address=(partition, byte)) per tile", s->span.line);
      if (fn.rfind("nisa.", 0) == 0 && fn != "nisa.dma_copy" && isa_results().count(fn.substr(5)))
        return note(e->span, fn + "(...) returning a tile", fn + "(dst, ...) with dst first, no dtype/mask",
                    s->span.line);
      if (const ast::Keyword* k = keyword(e, "mask"))
        return note(k->span, "mask=" + txt(k->value), "slices with clamped bounds, slice(s, min(n, s + 128))",
                    s->span.line);
    } else if (e->kind == ExprKind::Attribute && dotted(e) == "nl.mgrid") {
      note(e->span, "nl.mgrid", "slices, nl.ds, free-dim steps", s->span.line);
    } else if (e->kind == ExprKind::Subscript && e->a->kind == ExprKind::Subscript &&
               e->ctx == ast::ExprContext::Load && e->a->a->kind == ExprKind::Name && tiles_.count(e->a->a->str)) {
      note(e->span, "nested subscript " + txt(e), "one subscript", s->span.line);
    }
  }

  // Every expression directly in the statement (not in nested statement bodies).
  template <class F>
  void for_each_expr(const Stmt* s, F&& f) {
    auto v = [&](const Expr* e) {
      if (e) visit(e, f);
    };
    for (const Expr* d : s->decorators) v(d);
    for (const Expr* t : s->targets) v(t);
    v(s->value), v(s->target), v(s->iter), v(s->test), v(s->exc), v(s->msg), v(s->returns);
    for (auto& it : s->items) v(it.context_expr), v(it.optional_vars);
    if (s->args) {
      for (const Expr* d : s->args->defaults) v(d);
      for (const Expr* d : s->args->kw_defaults) v(d);
    }
  }

  template <class F>
  void visit(const Expr* e, F&& f) {
    if (!e) return;
    f(e);
    visit(e->a, f), visit(e->b, f), visit(e->c, f);
    for (const Expr* x : e->elts) visit(x, f);
    for (const Expr* x : e->keys) visit(x, f);
    for (auto& k : e->keywords) visit(k.value, f);
    for (auto& g : e->generators) {
      visit(g.target, f), visit(g.iter, f);
      for (const Expr* x : g.ifs) visit(x, f);
    }
  }
};

}  // namespace

MigrateResult migrate(const std::string& path, const std::string& source) {
  auto src = std::make_shared<const SourceFile>(path, source);
  auto m = parse_module_or_throw(src);
  return Migrator(src).run(*m);
}

std::string render_findings(const std::string& path, const std::vector<MigrateFinding>& findings) {
  std::ostringstream o;
  for (auto& f : findings)
    o << path << ":" << f.line << ":" << f.col << ": " << f.construct << " -> " << f.replacement
      << (f.fixed ? " [fixed]" : " [manual]") << "\n";
  return o.str();
}

}  // namespace nkic::api
