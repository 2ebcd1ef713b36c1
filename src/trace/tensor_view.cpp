// Tensor views.
#include "trace/tensor_view.h"

#include <algorithm>

#include "ir/verify.h"
#include "trace/dynamic.h"
#include "trace/legacy_index.h"
#include "trace/releases.h"

namespace nkic::trace {

namespace {

Value make_view(const TensorObj& base, AccessPattern ap, bool whole = false) {
  auto obj = std::make_shared<TensorObj>();
  obj->ap = std::move(ap);
  obj->whole = whole && base.whole;
  obj->indexed = !obj->whole;
  Value v;
  v.k = VK::Tensor;
  v.o = obj;
  return v;
}

int64_t slice_bound(Interpreter& in, const Value& v, int64_t dflt, Span s) {
  if (v.is_none()) return dflt;
  if (!v.is_int()) in.error(s, std::string("slice bounds must be integers, not '") + type_name(v.k) + "'");
  return v.as_int();
}

}  // namespace

Value index_tensor(Interpreter& in, const Value& tv, const Value& index, Span s) {
  const TensorObj& t = *tv.as<TensorObj>();
  const TensorDecl& decl = in.program.tensors[t.ap.tensor];
  // A view can be indexed again, on chip too: the second index applies to the view's own dims. 0.3.0's
  // docs forbid nested slicing of on-chip views, but production kernels compose views (nki-library's
  // attention_bwd indexes `dy_o_sum[h][:, a:b]` again; gen_mask_tkg and stream_shuffle_broadcast too), and
  // those ran on hardware (docs/semantics.md, "Found by the nki-library compatibility run").
  std::vector<Value> items = index.k == VK::Tuple ? index.as<SeqObj>()->items : std::vector<Value>{index};
  // Beta 1 index grids (nl.arange, nl.mgrid; legacy_index.cpp): the view takes the grid's shape.
  if (subscript_has_grid(items)) return index_tensor_grid(in, tv, items, s);
  size_t nd = t.ap.dims.size();
  // Expand `...` into full slices.
  size_t explicit_dims = 0, ellipses = 0;
  for (auto& it : items) ++(it.k == VK::Ellipsis ? ellipses : explicit_dims);
  if (ellipses > 1) in.error(s, "an index can only have a single ellipsis ('...')");
  if (explicit_dims > nd)
    in.error(s, "too many indices for tensor: tensor is " + std::to_string(nd) + "-dimensional, but " +
                    std::to_string(explicit_dims) + " were indexed");
  std::vector<Value> full;
  for (auto& it : items) {
    if (it.k == VK::Ellipsis) {
      for (size_t k = 0; k < nd - explicit_dims; ++k) full.push_back(Value::of(VK::Slice));
    } else {
      full.push_back(it);
    }
  }
  while (full.size() < nd) full.push_back(Value::of(VK::Slice));

  AccessPattern ap = t.ap;
  ap.dims.clear();
  bool rows_kept = true;           // dim 0 is a full slice: the rows a vector_offset indexes are unchanged
  const APDim* dropped = nullptr;  // the last free dim an integer index dropped
  for (size_t d = 0; d < nd; ++d) {
    const APDim& dim = t.ap.dims[d];
    const Value& ix = full[d];
    if (ix.is_int()) {
      int64_t i = ix.as_int();
      if (i < 0) i += dim.num;
      if (i < 0 || i >= dim.num)
        in.error(s, "index " + std::to_string(ix.as_int()) + " is out of bounds for dimension " + std::to_string(d) +
                        " with size " + std::to_string(dim.num));
      ap.offset += i * dim.stride;
      if (d == 0) rows_kept = false;
      // On-chip tensors keep a size-1 partition dimension (docs/semantics.md).
      if (d == 0 && decl.on_chip()) ap.dims.push_back({dim.stride, 1});
      if (d > 0) dropped = &dim;
      continue;
    }
    if (ix.k == VK::Slice) {
      int64_t start = 0, stop = dim.num, step = 1;
      if (ix.o) {
        auto* sl = ix.as<SliceObj>();
        step = slice_bound(in, sl->step, 1, s);
        if (step <= 0) in.error(s, "slice steps must be positive in NKI kernels");
        start = slice_bound(in, sl->start, 0, s);
        stop = slice_bound(in, sl->stop, dim.num, s);
        if (start < 0) start += dim.num;
        if (stop < 0) stop += dim.num;
        if (start < 0 || start > dim.num || stop > dim.num)
          in.error(s, "slice [" + std::to_string(start) + ":" + std::to_string(stop) +
                          "] is out of bounds for dimension " + std::to_string(d) + " with size " +
                          std::to_string(dim.num));
        if (d == 0 && decl.on_chip() && step != 1)
          in.error(s, "the partition dimension of an on-chip tensor can only be sliced with step 1");
      }
      int64_t count = stop > start ? (stop - start + step - 1) / step : 0;
      if (count == 0) in.error(s, "slice selects no elements of dimension " + std::to_string(d));
      if (d == 0 && (start != 0 || step != 1 || count != dim.num)) rows_kept = false;
      ap.offset += start * dim.stride;
      ap.dims.push_back({dim.stride * step, count});
      continue;
    }
    in.error(s, std::string("tensor indices must be integers, slices or nl.ds(...), not '") + type_name(ix.k) + "'");
  }
  // NKI 0.5.0's rule: an on-chip result stays 2-D, the last integer-indexed free dim kept at size 1
  // (0.3.0-0.4.0 and the Beta 1 language drop it, as NumPy does).
  bool keep_2d = !in.legacy() && (!in.launch.release || *in.launch.release >= Release::V0_5);
  if (keep_2d && decl.on_chip() && dropped && ap.dims.size() < 2) ap.dims.push_back({dropped->stride, 1});
  if (ap.dims.empty()) ap.dims.push_back({1, 1});
  // A dynamic view stays dynamic: a scalar offset moves every element alike, so it composes with any
  // sub-view; a vector offset is per row, so its row dim must stay whole.
  auto same_dims = [](const std::vector<APDim>& x, const std::vector<APDim>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                      [](const APDim& p, const APDim& q) { return p.stride == q.stride && p.num == q.num; });
  };
  if (t.dyn && t.dyn->kind == DynKind::Indirect && (ap.offset != t.ap.offset || !same_dims(ap.dims, t.ap.dims)))
    in.error(s, "an indirect view cannot be indexed or sliced: its indirect dim (dim 1) holds the gathered columns",
             "index the tensor before .indirect(), or pass fewer offsets with num_elem=", "validation");
  if (t.dyn && t.dyn->kind == DynKind::Vector && !rows_kept)
    in.error(s, "the row dimension (dim 0) of a vector_offset view cannot be indexed or sliced",
             "slice the free dimensions only, or narrow the pattern and the index tile instead");
  Value out = make_view(t, std::move(ap));
  out.as<TensorObj>()->dyn = t.dyn;
  return out;
}

Value tensor_attribute(Interpreter& in, const Value& tv, const std::string& name, Span s) {
  const TensorObj& t = *tv.as<TensorObj>();
  const TensorDecl& decl = in.program.tensors[t.ap.tensor];
  if (name == "shape") {
    std::vector<Value> dims;
    for (auto n : t.shape()) dims.push_back(Value::integer(n));
    return Value::tuple(std::move(dims));
  }
  if (name == "dtype") return Value::dtype(t.ap.dtype);
  if (name == "ndim") return Value::integer(static_cast<int64_t>(t.ap.dims.size()));
  if (name == "size") return Value::integer(t.ap.num_elements());
  if (name == "offset") return Value::integer(t.ap.offset);
  if (name == "name") return Value::str(decl.name);
  // NKI 0.7.0: `.data` of a tensor is the tensor itself, so code written for grids (g[i, j].data)
  // also takes a plain tile. Earlier releases have no such attribute.
  if (name == "data" && !in.legacy() && (!in.launch.release || *in.launch.release >= Release::V0_7)) return tv;
  if (name == "buffer") {
    switch (decl.mem) {
      case Mem::SBUF: return Value::buffer(BufferKind::SBUF);
      case Mem::PSUM: return Value::buffer(BufferKind::PSUM);
      case Mem::HBM: return Value::buffer(decl.role == TensorRole::Internal ? BufferKind::SharedHBM : BufferKind::HBM);
    }
  }
  if (in.legacy() && (name == "broadcast_to" || name == "astype")) {  // Beta 1 tile methods: the nl calls
    Value self = tv;
    Value fn = in.builtin_module("neuronxcc.nki.language").as<ModuleObj>()->ns[name == "astype" ? "copy" : name];
    return make_builtin(name, [self, fn, name](Interpreter& in, CallArgs& a) -> Value {
      CallArgs b = a;
      b.pos.insert(b.pos.begin(), self);
      b.pos_spans.insert(b.pos_spans.begin(), a.call_span);
      if (name == "astype" && b.pos.size() > 1) {  // t.astype(dtype): nl.copy(t, dtype=dtype)
        b.kw.push_back({"dtype", b.pos[1]});
        b.kw_spans.push_back(b.pos_spans[1]);
        b.pos.resize(1);
        b.pos_spans.resize(1);
      }
      return in.call(fn, b);
    });
  }
  if (name == "reshape") {
    Value self = tv;
    return make_builtin("reshape", [self](Interpreter& in, CallArgs& a) -> Value {
      const TensorObj& t = *self.as<TensorObj>();
      if (t.dyn)
        in.error(a.call_span, "a view with a dynamic offset cannot be reshaped", "reshape the tensor before .ap()");
      std::vector<int64_t> shape;
      if (a.pos.size() == 1 && (a.pos[0].k == VK::Tuple || a.pos[0].k == VK::List))
        shape = expect_shape(in, a.pos[0], a.pos_spans[0], "reshape");
      else
        for (size_t i = 0; i < a.pos.size(); ++i) shape.push_back(expect_int(in, a.pos[i], a.pos_spans[i], "reshape"));
      int64_t n = 1;
      for (auto d : shape) n *= d;
      if (n != t.ap.num_elements())
        in.error(a.call_span, "cannot reshape a tensor of " + std::to_string(t.ap.num_elements()) + " elements into " +
                                  std::to_string(n) + " elements");
      // Only contiguous views reshape: the pattern must be row-major dense.
      int64_t expect = 1;
      for (size_t i = t.ap.dims.size(); i-- > 0;) {
        if (t.ap.dims[i].num != 1 && t.ap.dims[i].stride != expect)
          in.error(a.call_span, "reshape needs a contiguous view", "reshape the whole tensor before slicing it");
        expect *= t.ap.dims[i].num;
      }
      const TensorDecl& decl = in.program.tensors[t.ap.tensor];
      if (decl.on_chip() && !shape.empty() && !t.ap.dims.empty() && shape[0] != t.ap.dims[0].num)
        in.error(a.call_span, "reshape must keep the partition dimension of an on-chip tensor");
      AccessPattern ap = t.ap;
      ap.dims.assign(shape.size(), {1, 1});
      int64_t stride = 1;
      for (size_t i = shape.size(); i-- > 0;) {
        ap.dims[i] = {stride, shape[i]};
        stride *= shape[i];
      }
      if (ap.dims.empty()) ap.dims.push_back({1, 1});
      return make_view(t, std::move(ap), true);
    });
  }
  if (name == "view") {
    Value self = tv;
    return make_builtin("view", [self](Interpreter& in, CallArgs& a) -> Value {
      static const std::vector<Param> ps = {{"dtype", true}};
      auto v = in.bind(a, "view", ps);
      if (v[0].k != VK::DType) in.error(in.arg_span(a, ps, 0), "view() takes an nki.language dtype");
      const TensorObj& t = *self.as<TensorObj>();
      if (t.dyn)
        in.error(a.call_span, "a view with a dynamic offset cannot be re-typed with view()",
                 "call .view() before .ap()");
      DType to = v[0].as_dtype();
      int64_t from_sz = size_of(t.ap.dtype), to_sz = size_of(to);
      AccessPattern ap = t.ap;
      ap.dtype = to;
      APDim& last = ap.dims.back();
      if (last.stride != 1 && last.num != 1)
        in.error(a.call_span, "view() needs a contiguous last dimension", "view the whole tensor before slicing it");
      if ((t.ap.offset * from_sz) % to_sz != 0 || (last.num * from_sz) % to_sz != 0)
        in.error(a.call_span, "cannot view " + std::string(name_of(t.ap.dtype)) + " data of last dimension " +
                                  std::to_string(last.num) + " as " + std::string(name_of(to)) +
                                  ": the bytes do not divide into whole elements");
      ap.offset = t.ap.offset * from_sz / to_sz;
      for (size_t i = 0; i + 1 < ap.dims.size(); ++i) {
        if ((ap.dims[i].stride * from_sz) % to_sz != 0) in.error(a.call_span, "view() strides do not divide evenly");
        ap.dims[i].stride = ap.dims[i].stride * from_sz / to_sz;
      }
      last = {1, last.num * from_sz / to_sz};
      return make_view(t, std::move(ap), true);
    });
  }
  if (name == "ap") {
    Value self = tv;
    return make_builtin("ap", [self](Interpreter& in, CallArgs& a) -> Value {
      static const std::vector<Param> ps = {{"pattern", true},
                                            {"offset", false},
                                            {"scalar_offset", false},
                                            {"vector_offset", false},
                                            {"indirect_dim", false, Value::integer(0)},
                                            {"dtype", false}};
      auto v = in.bind(a, "ap", ps);
      const TensorObj& t = *self.as<TensorObj>();
      const TensorDecl& decl = in.program.tensors[t.ap.tensor];
      if (t.dyn) in.error(a.call_span, ".ap() cannot be applied to a view that already has a dynamic offset");
      // Views may be indexed first: the offset then counts from the view's start and a dynamic offset
      // steps along the view's dims. On chip too: nki-library's TensorView calls .ap() on indexed SBUF views.
      AccessPattern ap;
      ap.tensor = t.ap.tensor;
      ap.dtype = t.ap.dtype;
      if (!v[5].is_none()) {
        if (v[5].k != VK::DType) in.error(in.arg_span(a, ps, 5), "dtype must be an nki.language dtype");
        ap.dtype = v[5].as_dtype();
      }
      int64_t view_bytes = t.ap.offset * size_of(t.ap.dtype);
      if (view_bytes % size_of(ap.dtype) != 0)
        in.error(in.arg_span(a, ps, 5), "the view starts inside a " + std::string(name_of(ap.dtype)) + " element");
      // offset=None (the default since NKI 0.5.0) inherits the view's offset; an int is added to it.
      ap.offset =
          view_bytes / size_of(ap.dtype) + (v[1].is_none() ? 0 : expect_int(in, v[1], in.arg_span(a, ps, 1), "offset"));
      Span ps0 = in.arg_span(a, ps, 0);
      if (v[0].k != VK::List && v[0].k != VK::Tuple) in.error(ps0, "pattern must be a list of [step, num] pairs");
      for (auto& pair : v[0].as<SeqObj>()->items) {
        std::vector<Value> sn =
            (pair.k == VK::List || pair.k == VK::Tuple) ? pair.as<SeqObj>()->items : std::vector<Value>{};
        if (sn.size() != 2) in.error(ps0, "each pattern entry must be a [step, num] pair");
        int64_t step = expect_int(in, sn[0], ps0, "pattern step"), num = expect_int(in, sn[1], ps0, "pattern num");
        if (num <= 0) in.error(ps0, "pattern sizes must be positive, got " + std::to_string(num));
        ap.dims.push_back({step, num});
      }
      if (ap.dims.empty()) in.error(ps0, "pattern must have at least one [step, num] pair");
      if (decl.on_chip()) {
        int64_t part = decl.partition_bytes() / size_of(ap.dtype);
        if (ap.dims[0].num > 1 && ap.dims[0].stride != part)
          in.error(ps0, "the first pattern entry is the partition dimension: its step must be " + std::to_string(part) +
                            " (the elements per partition), not " + std::to_string(ap.dims[0].stride));
        if (ap.dims.size() > 5) in.error(ps0, "on-chip access patterns have at most 4 free dimensions");
      }
      Span dspans[3] = {in.arg_span(a, ps, 2), in.arg_span(a, ps, 3), in.arg_span(a, ps, 4)};
      auto dyn = dynamic_offset(in, decl, t.ap, ap, v[2], v[3], v[4], dspans);
      if (!dyn) {  // a dynamic view is bounds-checked when it runs (oob_mode)
        std::string why = check_access_pattern(in.program, ap);
        if (!why.empty()) in.error(a.call_span, ".ap(): " + why);
      }
      Value out = make_view(t, std::move(ap), false);
      out.as<TensorObj>()->dyn = std::move(dyn);
      return out;
    });
  }
  if (auto m = tensor_view_method(in, tv, name, s)) return *m;
  if (name == "data" && !in.legacy())
    in.error(s, "tensor has no attribute 'data' in NKI " + std::string(name_of(*in.launch.release)),
             "a tensor's .data (the tensor itself) is NKI 0.7.0; use the tensor directly");
  in.py_raise(s, "AttributeError", "tensor has no attribute '" + name + "'");  // hasattr() sees it
}

}  // namespace nkic::trace
