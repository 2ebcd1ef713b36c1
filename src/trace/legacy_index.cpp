// Index grids (nl.arange, nl.mgrid), affine index expressions and mask= predicates (see legacy.h).
// Loop variables and program ids are plain ints while tracing (loops are unrolled), so the only
// symbolic values are grid positions: an index expression is c + sum_k coef[k] * g[k] over a grid G.
#include "trace/legacy_index.h"

#include <algorithm>
#include <mutex>

#include "trace/dynamic.h"
#include "trace/tensor_view.h"

namespace nkic::trace {

namespace {

using B = ast::BinOpKind;
using C = ast::CmpOpKind;

// One comparison of a predicate, normalised to `e OP 0`.
struct Term {
  Affine e;
  C op;
};

struct IndexObj : InstanceObj {
  Affine e;
};
struct PredObj : InstanceObj {
  std::vector<Term> terms;
  bool off = false;  // joined with a false loop-variable comparison: false everywhere
};
struct GridsObj : InstanceObj {  // nl.mgrid[...]'s result: the grids, unpacked or as .p/.x/.y
  std::vector<Value> grids;
};

Value make_class(const char* name) {
  auto c = std::make_shared<ClassObj>();
  c->name = name;
  c->builtin = std::string("neuronxcc.nki.language.") + name;
  return Value::wrap(VK::Class, c);
}

Value expr_class();
Value make_index(Affine e) {
  for (size_t k = 0; k < e.shape.size(); ++k)
    if (e.shape[k] == 1) e.coef[k] = 0;
  auto o = std::make_shared<IndexObj>();
  o->cls = expr_class();
  std::vector<Value> dims;
  for (auto n : e.shape) dims.push_back(Value::integer(n));
  o->attrs.push_back({"shape", Value::tuple(std::move(dims))});
  o->e = std::move(e);
  return Value::wrap(VK::Instance, o);
}

bool has_class(const Value& v, const char* name) {
  return v.k == VK::Instance && v.as<InstanceObj>()->cls.k == VK::Class &&
         v.as<InstanceObj>()->cls.as<ClassObj>()->name == name &&
         v.as<InstanceObj>()->cls.as<ClassObj>()->builtin.rfind("neuronxcc.", 0) == 0;
}
PredObj* as_pred(const Value& v) { return has_class(v, "IndexPredicate") ? v.as<PredObj>() : nullptr; }

// Places a grid: `:` keeps an axis, None inserts one of size 1 ([:, None] puts a 1-D arange on axis 0).
Value place_grid(Interpreter& in, const Affine& e, const Value& index, Span s) {
  std::vector<Value> items = index.k == VK::Tuple ? index.as<SeqObj>()->items : std::vector<Value>{index};
  Affine out;
  out.c = e.c;
  size_t k = 0;
  for (auto& it : items) {
    if (it.is_none()) {
      out.shape.push_back(1);
      out.coef.push_back(0);
      continue;
    }
    bool full =
        it.k == VK::Slice && (!it.o || (it.as<SliceObj>()->start.is_none() && it.as<SliceObj>()->stop.is_none() &&
                                        it.as<SliceObj>()->step.is_none()));
    if (!full)
      in.error(s, "an index grid can only be placed with ':' and None (e.g. nl.arange(128)[:, None])",
               "index the tensor with the grid instead of indexing the grid");
    if (k >= e.shape.size()) in.error(s, "too many ':' for an index grid of rank " + std::to_string(e.shape.size()));
    out.shape.push_back(e.shape[k]);
    out.coef.push_back(e.coef[k]);
    ++k;
  }
  if (k != e.shape.size())
    in.error(s, "placing an index grid of rank " + std::to_string(e.shape.size()) + " needs one ':' per axis");
  return make_index(std::move(out));
}

Value expr_class() {
  static const Value cls = [] {
    Value c = make_class("IndexExpr");
    c.as<ClassObj>()->ns["__getitem__"] = make_builtin("IndexExpr.__getitem__", [](Interpreter& in, CallArgs& a) {
      return place_grid(in, a.pos[0].as<IndexObj>()->e, a.pos[1], a.call_span);
    });
    return c;
  }();
  return cls;
}

Value pred_class() {
  static const Value cls = make_class("IndexPredicate");
  return cls;
}

Value grids_class() {
  static const Value cls = [] {
    Value c = make_class("MGrid");
    c.as<ClassObj>()->ns["__iter__"] = make_builtin(
        "MGrid.__iter__", [](Interpreter&, CallArgs& a) { return Value::tuple(a.pos[0].as<GridsObj>()->grids); });
    c.as<ClassObj>()->ns["__getitem__"] = make_builtin("MGrid.__getitem__", [](Interpreter& in, CallArgs& a) {
      auto& g = a.pos[0].as<GridsObj>()->grids;
      int64_t i = expect_int(in, a.pos[1], a.call_span, "an nl.mgrid index");
      if (i < 0) i += static_cast<int64_t>(g.size());
      if (i < 0 || i >= static_cast<int64_t>(g.size())) in.error(a.call_span, "nl.mgrid index out of range");
      return g[i];
    });
    return c;
  }();
  return cls;
}

// nl.mgrid[0:P, 0:F]: one dense grid per slice; grid k varies along axis k with the slice's step.
Value make_mgrid(Interpreter& in, const Value& index, Span s) {
  std::vector<Value> items = index.k == VK::Tuple ? index.as<SeqObj>()->items : std::vector<Value>{index};
  std::vector<int64_t> shape, start, step;
  for (auto& it : items) {
    if (it.k != VK::Slice || !it.o) in.error(s, "nl.mgrid takes slices with integer bounds: nl.mgrid[0:128, 0:512]");
    auto* sl = it.as<SliceObj>();
    int64_t a = sl->start.is_none() ? 0 : expect_int(in, sl->start, s, "an nl.mgrid start");
    if (sl->stop.is_none()) in.error(s, "nl.mgrid slices need a stop: nl.mgrid[0:128, 0:512]");
    int64_t b = expect_int(in, sl->stop, s, "an nl.mgrid stop");
    int64_t st = sl->step.is_none() ? 1 : expect_int(in, sl->step, s, "an nl.mgrid step");
    if (st <= 0) in.error(s, "nl.mgrid steps must be positive");
    if (b <= a) in.error(s, "nl.mgrid slice [" + std::to_string(a) + ":" + std::to_string(b) + "] is empty");
    shape.push_back((b - a + st - 1) / st);
    start.push_back(a);
    step.push_back(st);
  }
  auto o = std::make_shared<GridsObj>();
  o->cls = grids_class();
  static const char* names[] = {"p", "x", "y", "z"};
  for (size_t k = 0; k < shape.size(); ++k) {
    Affine e;
    e.shape = shape;
    e.c = start[k];
    e.coef.assign(shape.size(), 0);
    e.coef[k] = step[k];
    o->grids.push_back(make_index(std::move(e)));
    if (k < 4) o->attrs.push_back({names[k], o->grids.back()});
  }
  return Value::wrap(VK::Instance, o);
}

// An int is an expression over the empty grid.
std::optional<Affine> affine_of(const Value& v) {
  if (const Affine* e = as_index_expr(v)) return *e;
  if (v.is_int()) return Affine{{}, v.as_int(), {}};
  return std::nullopt;
}

std::string shape_str(const std::vector<int64_t>& sh) {
  std::string r = "(";
  for (size_t i = 0; i < sh.size(); ++i) r += (i ? ", " : "") + std::to_string(sh[i]);
  return r + (sh.size() == 1 ? ",)" : ")");
}

// NumPy broadcasting (right-aligned).
std::vector<int64_t> broadcast(Interpreter& in, const std::vector<int64_t>& a, const std::vector<int64_t>& b, Span s) {
  size_t n = std::max(a.size(), b.size());
  std::vector<int64_t> g(n, 1);
  for (size_t k = 0; k < n; ++k) {
    int64_t x = k + a.size() >= n ? a[k + a.size() - n] : 1, y = k + b.size() >= n ? b[k + b.size() - n] : 1;
    if (x != y && x != 1 && y != 1)
      in.error(s, "index grids of shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast together");
    g[k] = std::max(x, y);
  }
  return g;
}

Affine expand(const Affine& e, const std::vector<int64_t>& g) {
  Affine out{g, e.c, std::vector<int64_t>(g.size(), 0)};
  size_t off = g.size() - e.shape.size();
  for (size_t k = 0; k < e.shape.size(); ++k) out.coef[off + k] = e.coef[k];
  return out;
}

Affine combine(Interpreter& in, const Affine& a, const Affine& b, int64_t sign, Span s) {
  auto g = broadcast(in, a.shape, b.shape, s);
  Affine x = expand(a, g), y = expand(b, g);
  x.c += sign * y.c;
  for (size_t k = 0; k < g.size(); ++k) x.coef[k] += sign * y.coef[k];
  return x;
}

[[noreturn]] void unsupported(Interpreter& in, Span s, const std::string& what) {
  in.error(s, "unsupported expression in mask or index: " + what,
           "masks and grid indices are affine: c + k*i + ... of nl.arange/nl.mgrid grids, loop variables and "
           "nl.program_id, compared with < <= > >= == and joined with &");
}

std::string describe(const Value& v) {
  if (v.k == VK::Tensor) return "a tensor's values are not known at compile time";
  if (v.k == VK::Register) return "a run-time register value";
  if (v.k == VK::Float) return "a float";
  if (has_class(v, "IndexPredicate")) return "a comparison used as a number";
  if (has_class(v, "MGrid")) return "an nl.mgrid result (unpack it, or use .p / .x)";
  return std::string("a value of type '") + type_name(v.k) + "'";
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// Pending out-of-bounds grid views: legal only if a mask keeps them in bounds (apply_mask checks).
struct Pending {
  std::weak_ptr<Object> view;
  std::vector<Affine> dims;  // each tensor dim's index over the view's grid
  std::vector<int64_t> sizes;
  SourceRef file;
  Span at;
};
std::mutex pending_mu;
std::map<const Object*, Pending> pending;

// The first dim whose index leaves [0, size) over the grid box [lo, hi) (per axis), or -1.
int oob_dim(const Pending& p, const std::vector<std::pair<int64_t, int64_t>>& box, int64_t& vlo, int64_t& vhi) {
  for (size_t d = 0; d < p.dims.size(); ++d) {
    const Affine& e = p.dims[d];
    vlo = vhi = e.c;
    for (size_t k = 0; k < e.coef.size(); ++k) {
      int64_t a = e.coef[k] * box[k].first, b = e.coef[k] * (box[k].second - 1);
      vlo += std::min(a, b);
      vhi += std::max(a, b);
    }
    if (vlo < 0 || vhi >= p.sizes[d]) return static_cast<int>(d);
  }
  return -1;
}

std::string oob_message(int d, int64_t lo, int64_t hi, int64_t size) {
  return "index grid values " + std::to_string(lo) + ".." + std::to_string(hi) + " are out of bounds for dimension " +
         std::to_string(d) + " with size " + std::to_string(size);
}

}  // namespace

const Affine* as_index_expr(const Value& v) { return has_class(v, "IndexExpr") ? &v.as<IndexObj>()->e : nullptr; }

bool is_index_value(const Value& v) {
  return has_class(v, "IndexExpr") || has_class(v, "IndexPredicate") || has_class(v, "MGrid");
}

Value index_binary(Interpreter& in, ast::BinOpKind op, const Value& a, const Value& b, Span s) {
  if (as_pred(a) || as_pred(b)) {
    if (op == B::BitOr || op == B::BitXor)
      unsupported(in, s, "predicates can only be joined with '&' (an intersection of ranges)");
    if (op != B::BitAnd) unsupported(in, s, describe(as_pred(a) ? a : b));
    auto p = std::make_shared<PredObj>();
    p->cls = pred_class();
    for (const Value* x : {&a, &b}) {
      if (PredObj* q = as_pred(*x)) {
        p->terms.insert(p->terms.end(), q->terms.begin(), q->terms.end());
        p->off = p->off || q->off;
      } else if (x->k == VK::Bool || x->k == VK::Int) {  // a loop-variable comparison, already decided
        p->off = p->off || x->as_int() == 0;
      } else {
        unsupported(in, s, describe(*x));
      }
    }
    return Value::wrap(VK::Instance, p);
  }
  auto x = affine_of(a), y = affine_of(b);
  if (!x) unsupported(in, s, describe(a));
  if (!y) unsupported(in, s, describe(b));
  switch (op) {
    case B::Add: return make_index(combine(in, *x, *y, 1, s));
    case B::Sub: return make_index(combine(in, *x, *y, -1, s));
    case B::Mult: {
      if (!x->shape.empty() && !y->shape.empty()) unsupported(in, s, "a product of two index grids is not affine");
      Affine e = x->shape.empty() ? *y : *x;
      int64_t k = x->shape.empty() ? x->c : y->c;
      e.c *= k;
      for (auto& c : e.coef) c *= k;
      return make_index(std::move(e));
    }
    case B::Mod: unsupported(in, s, "'%' of an index grid is not affine");
    case B::FloorDiv: unsupported(in, s, "'//' of an index grid is not affine");
    default: unsupported(in, s, std::string("the '") + ast::name_of(op) + "' operator on an index grid");
  }
}

Value index_compare(Interpreter& in, ast::CmpOpKind op, const Value& a, const Value& b, Span s) {
  if (op != C::Lt && op != C::LtE && op != C::Gt && op != C::GtE && op != C::Eq)
    unsupported(in, s, std::string("the comparison '") + ast::name_of(op) + "'");
  auto x = affine_of(a), y = affine_of(b);
  if (!x) unsupported(in, s, describe(a));
  if (!y) unsupported(in, s, describe(b));
  auto p = std::make_shared<PredObj>();
  p->cls = pred_class();
  p->terms.push_back({combine(in, *x, *y, -1, s), op});
  return Value::wrap(VK::Instance, p);
}

bool subscript_has_grid(const std::vector<Value>& items) {
  for (auto& it : items)
    if (is_index_value(it)) return true;
  return false;
}

Value index_tensor_grid(Interpreter& in, const Value& tv, const std::vector<Value>& items, Span s) {
  const TensorObj& t = *tv.as<TensorObj>();
  const TensorDecl& decl = in.program.tensors[t.ap.tensor];
  // An operand masked by subscripting it with a predicate (matmul operands: `xT[i_xf < 64]`).
  if (items.size() == 1 && as_pred(items[0])) {
    Mask m = eval_mask(in, items[0], s);
    if (m.off) in.error(s, "the predicate excludes every element of the operand");
    return apply_mask(in, tv, m, s);
  }
  size_t nd = t.ap.dims.size();
  if (t.dyn) in.error(s, "index grids cannot index a view with a dynamic offset");
  std::vector<Affine> idx;
  std::vector<int64_t> g;
  Value indirect;  // `data[idx_tile, i_f]`: rows gathered by an SBUF int tile (HBM tensors)
  for (auto& it : items) {
    if (it.k == VK::Tensor && idx.empty()) {
      auto sh = it.as<TensorObj>()->shape();
      if (sh.size() != 2 || sh[1] != 1)
        in.error(s, "an indirect index must be a [P, 1] int32 tile (one row index per partition)",
                 "index the index tile too: data[idx[i_p, 0], i_f]");
      indirect = it;
      g = broadcast(in, g, sh, s);
      idx.push_back(Affine{sh, 0, {0, 0}});
      continue;
    }
    if (it.k == VK::Slice || it.k == VK::Ellipsis || it.is_none())
      in.error(s, "a subscript cannot mix index grids (nl.arange/nl.mgrid) with slices, '...' or None",
               "index every dimension with a grid expression, or every dimension with slices");
    if (as_pred(it)) in.error(s, "a predicate can only subscript a tensor on its own: t[i_f < 64]");
    if (has_class(it, "MGrid")) in.error(s, describe(it));
    auto e = affine_of(it);
    if (!e) in.error(s, std::string("tensor indices must be integers or index grids, not '") + type_name(it.k) + "'");
    if (e->shape.size() == 1)
      in.error(s, "a 1-D index grid cannot index a tensor",
               "place nl.arange with [:, None] (partitions) or [None, :] (free axis)");
    g = broadcast(in, g, e->shape, s);
    idx.push_back(*e);
  }
  if (idx.size() != nd)
    in.error(s, "an index-grid subscript must index every dimension: the tensor is " + std::to_string(nd) +
                    "-dimensional, but " + std::to_string(idx.size()) + " were indexed");
  for (auto& e : idx) e = expand(e, g);
  // The view: element g sits at offset + sum_d stride_d * e_d(g) (grids may out-rank the tensor).
  AccessPattern ap = t.ap;
  ap.dims.assign(g.size(), {0, 1});
  for (size_t d = 0; d < nd; ++d) {
    ap.offset += t.ap.dims[d].stride * idx[d].c;
    for (size_t k = 0; k < g.size(); ++k) ap.dims[k].stride += t.ap.dims[d].stride * idx[d].coef[k];
  }
  for (size_t k = 0; k < g.size(); ++k) ap.dims[k].num = g[k];
  if (decl.on_chip()) {
    // Grid axis 0 becomes the partitions: it must walk the partition dim, one partition a step, alone.
    for (size_t k = 1; k < g.size(); ++k)
      if (idx[0].coef[k] != 0)
        in.error(s, "the partition index of an on-chip tensor can only vary along the first grid axis",
                 "make the partition index's grid vary along axis 0: nl.arange(P)[:, None]");
    if (g[0] > 1 && idx[0].coef[0] != 1)
      in.error(s, "the partition index must be a contiguous unit-stride run, but it steps by " +
                      std::to_string(idx[0].coef[0]) + " along the first grid axis");
    for (size_t d = 1; d < nd; ++d)
      if (idx[d].coef[0] != 0)
        in.error(s, "the first grid axis (the partitions) can only index the partition dimension of an on-chip tensor");
    if (g.size() > 5) in.error(s, "on-chip access patterns have at most 4 free dimensions");
    if (g[0] == 1) ap.dims[0].stride = t.ap.dims[0].stride;
  }
  auto obj = std::make_shared<TensorObj>();
  if (!indirect.is_none()) {
    if (decl.mem != Mem::HBM) in.error(s, "only HBM tensors can be indexed by a tile (indirect DMA)");
    for (size_t d = 1; d < nd; ++d)
      if (idx[d].coef[0] != 0) in.error(s, "with an indirect row index, the other indices cannot vary along axis 0");
    Span spans[3] = {s, s, s};
    obj->dyn = dynamic_offset(in, decl, t.ap, ap, Value::none(), indirect, Value::integer(0), spans);
  }
  obj->ap = std::move(ap);
  obj->whole = false;
  obj->indexed = true;
  Pending p{obj, idx, {}, in.current_file(), s};
  for (auto& d : t.ap.dims) p.sizes.push_back(d.num);
  std::vector<std::pair<int64_t, int64_t>> box;
  for (auto n : g) box.push_back({0, n});
  int64_t lo, hi;
  if (oob_dim(p, box, lo, hi) >= 0) {  // legal only under a mask: apply_mask decides
    std::lock_guard<std::mutex> lock(pending_mu);
    for (auto it = pending.begin(); it != pending.end();) it = it->second.view.expired() ? pending.erase(it) : ++it;
    pending[obj.get()] = std::move(p);
  }
  return Value::wrap(VK::Tensor, obj);
}

void add_legacy_index(ModuleObj& nl) {
  nl.ns["arange"] = make_builtin("neuronxcc.nki.language.arange", [](Interpreter& in, CallArgs& a) -> Value {
    if (!a.kw.empty())
      in.error(a.kw_spans[0], "nl.arange takes positional arguments: nl.arange(stop) or (start, stop)");
    if (a.pos.empty() || a.pos.size() > 2) in.error(a.call_span, "nl.arange takes (stop) or (start, stop)");
    int64_t start = a.pos.size() == 2 ? expect_int(in, a.pos[0], a.pos_spans[0], "nl.arange start") : 0;
    int64_t stop = expect_int(in, a.pos.back(), a.pos_spans.back(), "nl.arange stop");
    if (stop <= start)
      in.error(a.call_span, "nl.arange(" + std::to_string(start) + ", " + std::to_string(stop) + ") is empty");
    return make_index(Affine{{stop - start}, start, {1}});
  });
  Value mg = make_class("mgrid");
  mg.as<ClassObj>()->ns["__getitem__"] = make_builtin(
      "mgrid.__getitem__", [](Interpreter& in, CallArgs& a) { return make_mgrid(in, a.pos[1], a.call_span); });
  auto inst = std::make_shared<InstanceObj>();
  inst->cls = mg;
  nl.ns["mgrid"] = Value::wrap(VK::Instance, inst);
  // Test hook (not Beta 1): eval_mask + apply_mask on one operand; None when the mask is all off.
  nl.ns["_nkic_masked"] = make_builtin("_nkic_masked", [](Interpreter& in, CallArgs& a) -> Value {
    if (a.pos.size() != 2) in.error(a.call_span, "_nkic_masked(tile, mask)");
    Mask m = eval_mask(in, a.pos[1], a.pos_spans[1]);
    if (m.off) return Value::none();
    return apply_mask(in, a.pos[0], m, a.call_span);
  });
}

Mask eval_mask(Interpreter& in, const Value& mask, Span s) {
  Mask m;
  if (mask.is_none()) return m;
  if (mask.k == VK::Bool || mask.k == VK::Int) {  // only loop variables: the whole call is on or off
    m.off = mask.as_int() == 0;
    return m;
  }
  PredObj* p = as_pred(mask);
  if (!p) unsupported(in, s, describe(mask));
  if (p->off) {
    m.off = true;
    return m;
  }
  for (const Term& t : p->terms) {
    std::vector<size_t> axes;
    for (size_t k = 0; k < t.e.shape.size(); ++k)
      if (t.e.coef[k] != 0) axes.push_back(k);
    if (axes.size() > 1)
      unsupported(in, s,
                  "a comparison varies along grid axes " + std::to_string(axes[0]) + " and " + std::to_string(axes[1]) +
                      "; each one may bound a single axis");
    if (axes.empty()) {  // constant over the grid
      int64_t c = t.e.c;
      bool ok = t.op == C::Lt    ? c < 0
                : t.op == C::LtE ? c <= 0
                : t.op == C::Gt  ? c > 0
                : t.op == C::GtE ? c >= 0
                                 : c == 0;
      if (!ok) m.off = true;
      continue;
    }
    size_t ax = axes[0];
    int64_t k = t.e.coef[ax], r = -t.e.c;  // k*g OP r
    int64_t lo = 0, hi = INT64_MAX;
    auto at_most = [&](int64_t rr) {  // k*g <= rr
      if (k > 0)
        hi = std::min(hi, floor_div(rr, k) + 1);
      else
        lo = std::max(lo, ceil_div(rr, k));
    };
    auto at_least = [&](int64_t rr) {  // k*g >= rr
      if (k > 0)
        lo = std::max(lo, ceil_div(rr, k));
      else
        hi = std::min(hi, floor_div(rr, k) + 1);
    };
    switch (t.op) {
      case C::Lt: at_most(r - 1); break;
      case C::LtE: at_most(r); break;
      case C::Gt: at_least(r + 1); break;
      case C::GtE: at_least(r); break;
      default:
        at_most(r);
        at_least(r);
        break;
    }
    if (m.bounds.size() <= ax) m.bounds.resize(ax + 1, {0, INT64_MAX});
    m.bounds[ax].first = std::max(m.bounds[ax].first, lo);
    m.bounds[ax].second = std::min(m.bounds[ax].second, hi);
  }
  for (auto& [lo, hi] : m.bounds)
    if (lo >= hi) m.off = true;
  if (m.off) m.bounds.clear();
  return m;
}

Value apply_mask(Interpreter& in, const Value& tile, const Mask& m, Span s) {
  if (tile.k != VK::Tensor || m.off) return tile;
  const TensorObj& t = *tile.as<TensorObj>();
  std::vector<std::pair<int64_t, int64_t>> box;
  AccessPattern ap = t.ap;
  for (size_t k = 0; k < ap.dims.size(); ++k) {
    int64_t n = ap.dims[k].num, lo = 0, hi = n;
    if (k < m.bounds.size()) {
      lo = std::max<int64_t>(m.bounds[k].first, 0);
      hi = std::min(m.bounds[k].second, n);
    }
    if (lo >= hi)
      in.error(s, "mask= keeps no element of axis " + std::to_string(k) + " (size " + std::to_string(n) +
                      ") of this operand: indices [" + std::to_string(lo) + ", " + std::to_string(m.bounds[k].second) +
                      ")");
    box.push_back({lo, hi});
    ap.offset += lo * ap.dims[k].stride;
    ap.dims[k].num = hi - lo;
  }
  // A grid view out of bounds must be brought into bounds by the mask.
  {
    std::unique_lock<std::mutex> lock(pending_mu);
    auto it = pending.find(tile.o.get());
    if (it != pending.end() && !it->second.view.expired()) {
      Pending p = it->second;
      lock.unlock();
      int64_t lo, hi;
      int d = oob_dim(p, box, lo, hi);
      if (d >= 0) {
        std::string msg = oob_message(d, lo, hi, p.sizes[d]) + (m.empty() ? "" : " (under the mask)");
        std::string hint = "bound the grid with mask=, e.g. mask=(i_p < n)";
        in.error(p.file == in.current_file() ? p.at : s, msg, hint);
      }
    }
  }
  if (m.empty()) return tile;
  auto obj = std::make_shared<TensorObj>();
  obj->ap = std::move(ap);
  obj->whole = false;
  obj->indexed = true;
  obj->dyn = t.dyn;
  return Value::wrap(VK::Tensor, obj);
}

bool index_predicate_term(const Value& v, Affine& e, ast::CmpOpKind& op) {  // for legacy_isa.cpp (L1)
  PredObj* p = as_pred(v);
  if (!p || p->off || p->terms.size() != 1) return false;
  e = p->terms[0].e;
  op = p->terms[0].op;
  return true;
}

}  // namespace nkic::trace
