// nki._core: the binding module. Python hands over the kernel's module source, its name and the
// argument descriptions; gets back a compiled Kernel that runs on NumPy buffers (by address, no copy).
#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "api/nkic.h"
#include "api/signatures.h"

namespace nb = nanobind;
using namespace nkic;

namespace {

// Argument descriptions made by nki/_runtime.py: ("T", shape, dtype) tensors, ("D", name) dtypes,
// ("U", [items]) tuples, ("A", shape, dtype, bytes) constant arrays (globals), and None/bool/int/float/str
// as themselves.
ArgValue to_arg(nb::handle h) {
  ArgValue a;
  if (h.is_none()) return a;
  if (nb::isinstance<nb::bool_>(h)) {
    a.kind = ArgValue::Kind::Bool;
    a.b = nb::cast<bool>(h);
  } else if (nb::isinstance<nb::int_>(h)) {
    a.kind = ArgValue::Kind::Int;
    a.i = nb::cast<int64_t>(h);
  } else if (nb::isinstance<nb::float_>(h)) {
    a.kind = ArgValue::Kind::Float;
    a.f = nb::cast<double>(h);
  } else if (nb::isinstance<nb::str>(h)) {
    a.kind = ArgValue::Kind::Str;
    a.s = nb::cast<std::string>(h);
  } else if (nb::isinstance<nb::tuple>(h)) {
    nb::tuple t = nb::borrow<nb::tuple>(h);
    std::string tag = nb::cast<std::string>(t[0]);
    if (tag == "T") {
      a.kind = ArgValue::Kind::Tensor;
      a.shape = nb::cast<std::vector<int64_t>>(t[1]);
      auto dt = dtype_from_name(nb::cast<std::string>(t[2]));
      if (!dt) throw nb::value_error(("unsupported dtype " + nb::cast<std::string>(t[2])).c_str());
      a.dtype = *dt;
    } else if (tag == "D") {
      a.kind = ArgValue::Kind::DType;
      auto dt = dtype_from_name(nb::cast<std::string>(t[1]));
      if (!dt) throw nb::value_error(("unsupported dtype " + nb::cast<std::string>(t[1])).c_str());
      a.dtype = *dt;
    } else if (tag == "E" || tag == "O") {  // ("E", file, class, member) / ("O", file, class, [(k, v)])
      a.kind = tag == "E" ? ArgValue::Kind::Enum : ArgValue::Kind::Object;
      a.s = nb::cast<std::string>(t[1]);
      a.cls = nb::cast<std::string>(t[2]);
      if (tag == "E") {
        a.member = nb::cast<std::string>(t[3]);
      } else {
        for (nb::handle kv : nb::borrow<nb::list>(t[3])) {
          nb::tuple p = nb::borrow<nb::tuple>(kv);
          a.keys.push_back(nb::cast<std::string>(p[0]));
          a.items.push_back(to_arg(p[1]));
        }
      }
    } else if (tag == "MOD") {  // ("MOD", name[, "attr.path"]): a module or one of its attributes
      a.kind = ArgValue::Kind::Module;
      a.s = nb::cast<std::string>(t[1]);
      if (t.size() > 2) a.member = nb::cast<std::string>(t[2]);
    } else if (tag == "F") {  // ("F", file, name): a module-level function
      a.kind = ArgValue::Kind::Function;
      a.s = nb::cast<std::string>(t[1]);
      a.cls = nb::cast<std::string>(t[2]);
    } else if (tag == "M") {  // ("M", [(key, value)]) a dict with string keys
      a.kind = ArgValue::Kind::Dict;
      for (nb::handle kv : nb::borrow<nb::list>(t[1])) {
        nb::tuple p = nb::borrow<nb::tuple>(kv);
        a.keys.push_back(nb::cast<std::string>(p[0]));
        a.items.push_back(to_arg(p[1]));
      }
    } else if (tag == "A") {  // ("A", shape, numpy dtype name, bytes): a compile-time NumPy array
      a.kind = ArgValue::Kind::Array;
      a.shape = nb::cast<std::vector<int64_t>>(t[1]);
      a.s = nb::cast<std::string>(t[2]);
      nb::bytes b = nb::borrow<nb::bytes>(t[3]);
      const auto* p = static_cast<const uint8_t*>(b.data());
      a.data.assign(p, p + b.size());
    } else if (tag == "U") {
      a.kind = ArgValue::Kind::Tuple;
      for (nb::handle x : nb::borrow<nb::list>(t[1])) a.items.push_back(to_arg(x));
    } else {
      throw nb::value_error("bad argument description");
    }
  } else {
    throw nb::type_error("unsupported kernel argument");
  }
  return a;
}

[[noreturn]] void raise_user_error(const UserError& e) {
  static const char* classes[][2] = {{"compile", "NkiCompileError"},
                                     {"assert", "NkiAssertionError"},
                                     {"validation", "NkiValidationError"},
                                     {"runtime", "NkiSimulationError"}};
  std::string cls = "NkiCompileError";
  for (auto& c : classes)
    if (e.kind == c[0]) cls = c[1];
  nb::module_ errors = nb::module_::import_("nki._errors");
  const Diagnostic& d = e.first();
  nb::object filename = d.loc.file ? nb::cast(d.loc.file->path()) : nb::none();
  nb::object lineno = d.loc.span.valid() ? nb::cast(d.loc.span.line) : nb::none();
  nb::object col = d.loc.span.valid() ? nb::cast(d.loc.span.col + 1) : nb::none();
  nb::object type = errors.attr(cls.c_str());
  nb::object exc = type(std::string(e.what()), filename, lineno, col);
  PyErr_SetObject(type.ptr(), exc.ptr());
  throw nb::python_error();
}

template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const UserError& e) {
    raise_user_error(e);
  }
}

// (shape, dtype, name, alias): alias is the input argument index a returned input is, or -1.
std::vector<std::tuple<std::vector<int64_t>, std::string, std::string, int32_t>> spec_list(
    const std::vector<api::TensorSpec>& specs) {
  std::vector<std::tuple<std::vector<int64_t>, std::string, std::string, int32_t>> out;
  for (auto& s : specs) out.emplace_back(s.shape, std::string(name_of(s.dtype)), s.name, s.alias_input);
  return out;
}

// A finding or warning for Python: (check name or "", severity, message, file, line, col, rendered, hint,
// other side (file, line, col, message) or None). Columns are 1-based, as in NkiError and the rendering.
using Finding = std::tuple<std::string, std::string, std::string, std::string, int, int, std::string, std::string,
                           std::optional<std::tuple<std::string, int, int, std::string>>>;
std::vector<Finding> findings_of(const std::vector<Diagnostic>& ds) {
  std::vector<Finding> out;
  for (const Diagnostic& d : ds) {
    std::optional<std::tuple<std::string, int, int, std::string>> other;
    for (const Diagnostic& n : d.notes)  // the first note with a location: the other side of a race
      if (n.loc.file && !other)
        other = std::tuple{n.loc.file->path(), static_cast<int>(n.loc.span.line), static_cast<int>(n.loc.span.col) + 1,
                           n.message};
    std::string sev = d.severity == Severity::Error ? "error" : d.severity == Severity::Warning ? "warning" : "note";
    out.emplace_back(d.code, sev, d.message, d.loc.file ? d.loc.file->path() : std::string(),
                     static_cast<int>(d.loc.span.line), static_cast<int>(d.loc.span.col) + 1, render(d), d.hint, other);
  }
  return out;
}

// Check names to a CheckSet (the names were validated in Python: nkic/_check.py).
CheckSet check_set(const std::vector<std::string>& names) {
  CheckSet s;
  for (const std::string& n : names) {
    auto c = check_named(n);
    if (!c) throw nb::value_error(("unknown check '" + n + "'").c_str());
    s.add(*c);
  }
  return s;
}

std::vector<sim::HostBuffer> buffers(const std::vector<std::tuple<uintptr_t, int64_t>>& v) {
  std::vector<sim::HostBuffer> out;
  for (auto& [ptr, n] : v) out.push_back({reinterpret_cast<void*>(ptr), n});
  return out;
}

}  // namespace

// A timed run and the kernel whose Programs it points into.
struct ProfileHandle {
  std::shared_ptr<api::Kernel> kernel;
  api::Profile profile;
};

void bind_tracing(nb::module_& m);  // tracing.cpp: the NKI 0.7.0 front door

NB_MODULE(_core, m) {
  m.doc() = "nkic core: the NKI compiler and NeuronCore simulator";
  bind_tracing(m);
  m.attr("__version__") = std::string(api::nkic_version());  // nkic's own (pyproject.toml's)
  m.attr("check_names") = std::vector<std::string>(std::begin(kCheckNames), std::end(kCheckNames));
  m.def(
      "parse_checks",
      [](const std::string& text) {
        try {
          CheckSet s = parse_checks(text);
          std::vector<std::string> out;
          for (size_t i = 0; i < std::size(kCheckNames); ++i)
            if (s.has(static_cast<Check>(i))) out.emplace_back(kCheckNames[i]);
          return out;
        } catch (const std::invalid_argument& e) {
          throw nb::value_error(e.what());
        }
      },
      "A check selection (all, none, default, or names separated by commas) as a list of check names.");

  nb::class_<ProfileHandle>(m, "Profile")
      .def_prop_ro("latency_us", [](const ProfileHandle& h) { return h.profile.timeline.latency_ns / 1000.0; })
      .def("summary_json", [](const ProfileHandle& h) { return h.profile.summary_json(); })
      .def("summary_text", [](const ProfileHandle& h) { return h.profile.summary_text(); })
      .def("perfetto_json", [](const ProfileHandle& h) { return h.profile.perfetto_json(); })
      .def("html", [](const ProfileHandle& h) { return h.profile.html(); })
      .def("lines",
           [](const ProfileHandle& h) {
             std::vector<std::tuple<std::string, int, double, uint64_t, std::string>> out;
             for (auto& l : h.profile.lines()) out.emplace_back(l.file, l.line, l.ns / 1000.0, l.instructions, l.text);
             return out;
           })
      .def("warnings", [](const ProfileHandle& h) {
        std::vector<std::string> out;
        for (auto& w : h.profile.warnings) out.push_back(render(w));
        return out;
      });

  nb::class_<api::Kernel>(m, "Kernel")
      .def_prop_ro("num_instructions", &api::Kernel::num_instructions)
      .def("ir", [](const api::Kernel& k) { return k.ir(); })
      .def(
          "opcode_counts",
          [](const api::Kernel& k) {
            std::map<std::string, int64_t> counts;
            for (auto& in : k.program().instrs) ++counts[std::string(name_of(in.op))];
            return counts;
          },
          "Number of compiled instructions per opcode name, e.g. {'nc_matmul': 64, 'dma_copy': 24}.")
      .def("input_specs", [](const api::Kernel& k) { return spec_list(k.input_specs()); })
      .def("output_specs", [](const api::Kernel& k) { return spec_list(k.output_specs()); })
      .def_prop_ro("output_is_tuple", [](const api::Kernel& k) { return k.program().output_is_tuple; })
      .def(
          "env_reads",
          [](const api::Kernel& k) {
            std::vector<std::tuple<std::string, std::optional<std::string>>> out;
            for (auto& r : k.env_reads().vars) out.emplace_back(r.name, r.value);
            return out;
          },
          "The environment variables the compile read, as (name, value or None if unset).")
      .def_prop_ro(
          "env_reads_all", [](const api::Kernel& k) { return k.env_reads().all; },
          "True when the compile listed the whole environment (os.environ.items()).")
      .def_prop_ro("num_cores", [](const api::Kernel& k) { return k.programs().size(); })
      .def("warnings",
           [](const api::Kernel& k) {
             std::vector<std::string> out;
             for (auto& w : k.warnings()) out.push_back(render(w));
             return out;
           })
      .def(
          "run",
          [](const api::Kernel& k, const std::vector<std::tuple<uintptr_t, int64_t>>& inputs,
             const std::vector<std::tuple<uintptr_t, int64_t>>& outputs) {
            auto in = buffers(inputs), out = buffers(outputs);
            std::vector<Diagnostic> warnings = guarded([&] {
              nb::gil_scoped_release release;
              return k.run(in, out);
            });
            std::vector<std::string> rendered;
            for (auto& w : warnings) rendered.push_back(render(w));
            return rendered;
          },
          nb::arg("inputs"), nb::arg("outputs"),
          "Runs the kernel on buffers given as (address, nbytes) of C-contiguous arrays; returns its warnings.")
      .def(
          "run_checked",
          [](const api::Kernel& k, const std::vector<std::tuple<uintptr_t, int64_t>>& inputs,
             const std::vector<std::tuple<uintptr_t, int64_t>>& outputs, const std::vector<std::string>& checks,
             uint64_t seed, bool uninit_is_error) {
            auto in = buffers(inputs), out = buffers(outputs);
            api::RunChecks rc{check_set(checks), seed, uninit_is_error};
            std::vector<Diagnostic> found = guarded([&] {
              nb::gil_scoped_release release;
              return k.run(in, out, {}, rc);
            });
            return findings_of(found);
          },
          nb::arg("inputs"), nb::arg("outputs"), nb::arg("checks"), nb::arg("seed") = 0,
          nb::arg("uninit_is_error") = false,
          "Runs with the dynamic checks named in `checks`; returns the run's warnings and the findings as tuples "
          "(check or '', severity, message, file, line, col, rendered, hint, other or None).")
      .def(
          "static_findings",
          [](const api::Kernel& k, const std::vector<std::string>& checks, bool as_warnings) {
            std::vector<Diagnostic> ds = guarded([&] { return k.static_findings(check_set(checks)); });
            if (as_warnings)  // the default checks of a plain run only warn
              for (Diagnostic& d : ds) d.severity = d.severity == Severity::Error ? Severity::Warning : d.severity;
            return findings_of(ds);
          },
          nb::arg("checks"), nb::arg("as_warnings") = false,
          "The static checks' findings (tuples as run_checked's); as_warnings: errors become warnings.")
      .def(
          "profile",
          [](std::shared_ptr<api::Kernel> k, const std::vector<std::tuple<uintptr_t, int64_t>>& inputs,
             const std::vector<std::tuple<uintptr_t, int64_t>>& outputs, bool timing_only, bool keep_slices) {
            auto in = buffers(inputs), out = buffers(outputs);
            api::ProfileOptions o;
            o.timing_only = timing_only;
            o.keep_slices = keep_slices;
            return guarded([&] {
              nb::gil_scoped_release release;
              return ProfileHandle{k, k->profile(in, out, o)};
            });
          },
          nb::arg("inputs"), nb::arg("outputs"), nb::arg("timing_only") = false, nb::arg("keep_slices") = true,
          "Runs and times the kernel (the timing model); returns a Profile.");

  m.def(
      "compile",
      [](const std::string& path, const std::string& source, const std::string& kernel, nb::list args,
         const std::string& target, int lineno, nb::list globals, const std::vector<std::string>& paths,
         const std::map<std::string, std::string>& modules, nb::object environ_, int grid, int rank, int world_size,
         bool legacy, const std::vector<int64_t>& spmd, const std::optional<std::string>& release) {
        std::vector<KernelArg> kargs;
        for (nb::handle h : args) {
          nb::tuple t = nb::borrow<nb::tuple>(h);
          kargs.push_back({nb::cast<std::string>(t[0]), to_arg(t[1])});
        }
        auto tk = parse_target(target);
        if (!tk) throw nb::value_error(("unknown target '" + target + "' (use trn1, trn2 or trn3)").c_str());
        api::CompileOptions opts;
        opts.target = *tk;
        opts.grid = grid;
        opts.rank = rank;
        opts.world_size = world_size;
        opts.legacy = legacy;
        opts.spmd = spmd;
        if (release) {
          try {
            opts.release = api::parse_release_selection(*release, "release");
          } catch (const std::invalid_argument& e) {
            throw nb::value_error(e.what());
          }
        }
        for (nb::handle h : globals) {
          nb::tuple t = nb::borrow<nb::tuple>(h);
          opts.globals.push_back({nb::cast<std::string>(t[0]), to_arg(t[1])});
        }
        opts.host.paths = paths;
        opts.host.files = modules;
        if (!environ_.is_none()) opts.host.environment = nb::cast<std::map<std::string, std::string>>(environ_);
        return guarded([&] { return api::compile(path, source, kernel, kargs, opts, lineno); });
      },
      nb::arg("path"), nb::arg("source"), nb::arg("kernel"), nb::arg("args"), nb::arg("target") = "trn2",
      nb::arg("lineno") = 0, nb::arg("globals") = nb::list(), nb::arg("paths") = std::vector<std::string>(),
      nb::arg("modules") = std::map<std::string, std::string>(), nb::arg("environ") = nb::none(), nb::arg("grid") = 0,
      nb::arg("rank") = 0, nb::arg("world_size") = 1, nb::arg("legacy") = false,
      nb::arg("spmd") = std::vector<int64_t>(), nb::arg("release") = nb::none(),
      "Compiles `kernel` from a module's source. args: [(keyword or '', description), ...]. paths: the "
      "directories absolute imports are searched in (sys.path); modules: {name: source file} of modules "
      "already imported (sys.modules); environ: what os.environ reads (default: the C environment); release: "
      "the NKI release the kernel targets (\"0.3\" ... \"0.7\"; None: the default, ignored for legacy launches).");

  m.def(
      "run_ranks",
      [](const std::vector<std::shared_ptr<api::Kernel>>& kernels,
         const std::vector<std::vector<std::tuple<uintptr_t, int64_t>>>& inputs,
         const std::vector<std::vector<std::tuple<uintptr_t, int64_t>>>& outputs) {
        std::vector<std::vector<sim::HostBuffer>> in, out;
        for (auto& b : inputs) in.push_back(buffers(b));
        for (auto& b : outputs) out.push_back(buffers(b));
        std::vector<Diagnostic> warnings = guarded([&] {
          nb::gil_scoped_release release;
          return api::run_ranks(kernels, in, out);
        });
        std::vector<std::string> rendered;
        for (auto& w : warnings) rendered.push_back(render(w));
        return rendered;
      },
      nb::arg("kernels"), nb::arg("inputs"), nb::arg("outputs"),
      "Runs one compiled kernel per rank (compiled with rank=r, world_size=len(kernels)); the ranks meet at "
      "their nki.collectives calls. inputs/outputs: per rank, (address, nbytes) buffers. Returns warnings.");

  m.def(
      "builtin_signatures",
      [] {
        using Param = std::tuple<std::string, bool, std::optional<std::string>>;
        std::vector<std::tuple<std::string, std::string, bool, std::vector<Param>>> out;
        for (auto& b : api::builtin_signatures()) {
          std::vector<Param> ps;
          for (auto& p : b.params)
            ps.emplace_back(p.name, p.required,
                            p.required ? std::nullopt : std::optional<std::string>(p.default_value));
          out.emplace_back(b.module, b.name, b.recorded, std::move(ps));
        }
        return out;
      },
      "The signatures the compiler binds nki.isa / nki.language / nki.collectives calls with: "
      "[(module, name, recorded, [(param, required, default as Python source or None), ...]), ...]; "
      "recorded is False for a builtin that takes any arguments.");
}
