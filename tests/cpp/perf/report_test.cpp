// The timing reports on hand-built timelines: time per line, the summary, the critical path, and that
// the Perfetto trace and the HTML report's data are valid JSON holding what they should.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>

#include "perf/json.h"
#include "perf/report.h"

using namespace nkic;
using sim::Track;

namespace {

// A minimal JSON validator (RFC 8259 grammar) so the tests can say "parses" without a library.
struct JsonCheck {
  std::string_view s;
  size_t i = 0;
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  }
  bool lit(std::string_view w) {
    if (s.substr(i, w.size()) != w) return false;
    i += w.size();
    return true;
  }
  bool string() {
    if (i >= s.size() || s[i] != '"') return false;
    for (++i; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c == '"') return ++i, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++i >= s.size()) return false;
        if (s[i] == 'u') {
          for (int k = 0; k < 4; ++k)
            if (++i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
        } else if (std::string_view("\"\\/bfnrt").find(s[i]) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool number() {
    size_t b = i;
    if (i < s.size() && s[i] == '-') ++i;
    auto digits = [&] {
      size_t d = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      return i > d;
    };
    if (!digits()) return false;
    if (s[b + (s[b] == '-')] == '0' && i - b - (s[b] == '-') > 1) return false;  // no leading zeros
    if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (!digits()) return false;
    }
    return true;
  }
  bool value() {
    ws();
    if (i >= s.size()) return false;
    bool ok;
    if (s[i] == '{' || s[i] == '[') {
      char close = s[i] == '{' ? '}' : ']';
      bool object = s[i] == '{';
      ++i;
      ws();
      if (i < s.size() && s[i] == close) {
        ++i;
      } else {
        for (;;) {
          if (object) {
            ws();
            if (!string()) return false;
            ws();
            if (!lit(":")) return false;
          }
          if (!value()) return false;
          ws();
          if (lit(",")) continue;
          if (!lit(std::string_view(&close, 1))) return false;
          break;
        }
      }
      ok = true;
    } else if (s[i] == '"') {
      ok = string();
    } else if (s[i] == 't' || s[i] == 'f' || s[i] == 'n') {
      ok = lit("true") || lit("false") || lit("null");
    } else {
      ok = number();
    }
    ws();
    return ok;
  }
};

bool valid_json(std::string_view s) {
  JsonCheck c{s};
  return c.value() && c.i == s.size();
}

size_t count(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// A four-instruction kernel: load, matmul, copy out of PSUM, store; lines 2..5 of a file whose name
// needs escaping in JSON and in HTML.
struct Fixture {
  Program p;
  Fixture() {
    auto src = std::make_shared<SourceFile>("dir/k\"\\</script>.py",
                                            "def k(a):\n"
                                            "    nisa.dma_copy(dst=x, src=a)\n"
                                            "    nisa.nc_matmul(dst=acc, stationary=x, moving=x)  \n"
                                            "    nisa.tensor_copy(dst=y, src=acc)\n"
                                            "    nisa.dma_copy(dst=out, src=y)\n");
    p.kernel_name = "k";
    p.locs.push_back({Location{src, {1, 0, 1, 9}}, -1});
    auto decl = [&](const char* name, Mem mem, std::vector<int64_t> shape) {
      TensorDecl t;
      t.name = name;
      t.mem = mem;
      t.shape = std::move(shape);
      p.tensors.push_back(t);
      return static_cast<uint32_t>(p.tensors.size() - 1);
    };
    uint32_t a = decl("a", Mem::HBM, {128, 128}), x = decl("x", Mem::SBUF, {128, 128}),
             acc = decl("acc", Mem::PSUM, {128, 128}), y = decl("y", Mem::SBUF, {128, 128}),
             out = decl("out", Mem::HBM, {128, 128});
    auto ap = [](uint32_t t) { return AccessPattern{t, DType::Float32, 0, {{128, 128}, {1, 128}}}; };
    auto emit = [&](Opcode op, uint32_t line, std::initializer_list<uint32_t> tensors) {
      Instruction in;
      in.op = op;
      in.engine = default_engine(op);
      in.loc = p.add_loc({p.locs[0].loc.file, {line, 4, line, 20}}, 0);
      std::vector<AccessPattern> aps;
      for (uint32_t t : tensors) aps.push_back(ap(t));
      std::vector<APRef> refs(aps.begin(), aps.end());
      p.emit(in, refs);
    };
    emit(Opcode::DmaCopy, 2, {x, a});
    emit(Opcode::NcMatmul, 3, {acc, x, x});
    emit(Opcode::TensorCopy, 4, {y, acc});
    emit(Opcode::DmaCopy, 5, {out, y});
  }

  static sim::Slice slice(double start, double end, uint32_t instr, int track, int32_t waited, uint8_t core = 0) {
    sim::Slice s;
    s.start = start;
    s.end = end;
    s.instr = instr;
    s.track = static_cast<uint8_t>(track);
    s.waited_for = waited;
    s.core = core;
    return s;
  }

  // One core: the load split over two rings, then matmul, copy, store, each waiting for the one before.
  static sim::Timeline timeline() {
    const int dma0 = static_cast<int>(Track::Dma0);
    sim::Timeline t;
    t.slices = {slice(0, 100, 0, dma0, -1), slice(0, 100, 0, dma0 + 1, -1),
                slice(100, 400, 1, static_cast<int>(Track::Tensor), 1),
                slice(400, 450, 2, static_cast<int>(Track::Vector), 2), slice(450, 600, 3, dma0, 3)};
    sim::CoreTotals c;
    c.end = 600;
    c.busy = {300, 50, 0, 0, 0, 250};
    c.instructions = 4;
    c.flops = 2.0 * 128 * 128 * 128;
    c.dma_bytes = {65536, 65536, 0, 0};
    t.cores = {c};
    t.instr_ns = {{100, 300, 50, 150}};
    t.instr_runs = {{1, 1, 1, 1}};
    t.latency_ns = 600;
    t.peak_flops_per_ns = 100'000;
    t.peak_hbm_bytes_per_ns = 1000;
    return t;
  }
};

}  // namespace

TEST(PerfNames, TracksEnginesDirections) {
  EXPECT_EQ(sim::track_name(0), "tensor");
  EXPECT_EQ(sim::track_name(sim::kEngineTracks - 1), "sync");
  EXPECT_EQ(sim::track_name(sim::kEngineTracks), "dma0");
  EXPECT_EQ(sim::track_name(sim::kTracks - 1), "dma15");
  EXPECT_EQ(sim::busy_name(static_cast<int>(sim::BusyKey::Dma)), "dma");
  EXPECT_EQ(sim::dma_dir_name(static_cast<int>(sim::DmaDir::SbufToHbm)), "sbuf_to_hbm");
}

TEST(PerfJson, EscapesAndNumbers) {
  std::string s;
  perf::append_json_string(s, "a\"b\\c\n</script>\x01");
  EXPECT_EQ(s, R"("a\"b\\c\n\u003c/script>\u0001")");
  EXPECT_TRUE(valid_json(s));
  s.clear();
  perf::append_json_number(s, 1.0 / 0.0);
  perf::append_json_number(s, -0.0);
  EXPECT_EQ(s, "null0");
  EXPECT_FALSE(valid_json("{\"a\":01}"));
  EXPECT_FALSE(valid_json("[1,]"));
}

TEST(PerfLines, OrderSumsAndText) {
  Fixture f;
  sim::Timeline t = Fixture::timeline();
  auto ls = perf::lines(t, {&f.p});
  ASSERT_EQ(ls.size(), 4u);
  EXPECT_EQ(ls[0].line, 3);
  EXPECT_EQ(ls[1].line, 5);
  EXPECT_EQ(ls[2].line, 2);
  EXPECT_EQ(ls[3].line, 4);
  EXPECT_DOUBLE_EQ(ls[0].ns, 300);
  EXPECT_EQ(ls[0].file, "dir/k\"\\</script>.py");
  EXPECT_EQ(ls[0].text, "nisa.nc_matmul(dst=acc, stationary=x, moving=x)");
  double ns = 0;
  uint64_t n = 0;
  for (auto& l : ls) ns += l.ns, n += l.instructions;
  EXPECT_DOUBLE_EQ(ns, 600);
  EXPECT_EQ(n, 4u);

  // Two instructions on one line add up; without the model's counts, the kept slices are counted (the
  // load's two ring parts as one instruction).
  f.p.instrs[3].loc = f.p.instrs[1].loc;
  t.instr_runs.clear();
  ls = perf::lines(t, {&f.p});
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0].line, 3);
  EXPECT_DOUBLE_EQ(ls[0].ns, 450);
  EXPECT_EQ(ls[0].instructions, 2u);
  EXPECT_EQ(ls[1].line, 2);
  EXPECT_EQ(ls[1].instructions, 1u);

  // A DMA run twice in a row (a loop body): a ring seen again is the next execution.
  const int dma0 = static_cast<int>(Track::Dma0);
  t.slices.push_back(Fixture::slice(600, 700, 0, dma0, -1));
  t.slices.push_back(Fixture::slice(600, 700, 0, dma0 + 1, -1));
  t.slices.push_back(Fixture::slice(700, 800, 0, dma0, -1));
  ls = perf::lines(t, {&f.p});
  EXPECT_EQ(ls[1].line, 2);
  EXPECT_EQ(ls[1].instructions, 3u);
}

TEST(PerfSummary, BusyCriticalPathUtilisation) {
  Fixture f;
  sim::Timeline t = Fixture::timeline();
  perf::Summary s = perf::summarize(t, {&f.p});
  EXPECT_DOUBLE_EQ(s.latency_us, 0.6);
  EXPECT_DOUBLE_EQ(s.busy_us[0], 0.3);
  EXPECT_DOUBLE_EQ(s.busy_us[5], 0.25);
  EXPECT_EQ(s.instructions, 4u);
  EXPECT_DOUBLE_EQ(s.mfu, 2.0 * 128 * 128 * 128 / (600 * 100'000.0));
  EXPECT_DOUBLE_EQ(s.mbu, 131072 / (600 * 1000.0));
  // The store waited for the copy, which waited for the matmul, which waited for the load's second part.
  EXPECT_DOUBLE_EQ(s.critical_path_us[0], 0.3);
  EXPECT_DOUBLE_EQ(s.critical_path_us[1], 0.05);
  EXPECT_DOUBLE_EQ(s.critical_path_us[5], 0.25);
  EXPECT_DOUBLE_EQ(s.critical_path_us[2] + s.critical_path_us[3] + s.critical_path_us[4], 0);
  ASSERT_EQ(s.top_lines.size(), 4u);
  EXPECT_EQ(s.top_lines[0].line, 3);

  std::string text = perf::summary_text(s, "k", "trn2");
  EXPECT_NE(text.find("k on trn2"), std::string::npos) << text;
  EXPECT_NE(text.find("0.600 us"), std::string::npos) << text;
  EXPECT_NE(text.find("tensor"), std::string::npos) << text;
  EXPECT_NE(text.find("hbm_to_sbuf 64.00 KiB"), std::string::npos) << text;

  std::string json = perf::summary_json(s);
  EXPECT_TRUE(valid_json(json)) << json;
  EXPECT_NE(json.find("\"latency_us\":0.6,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"engine_busy_us\":{\"tensor\":0.3,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"critical_path_us\":{\"tensor\":0.3,\"vector\":0.05,"), std::string::npos) << json;
}

TEST(PerfSummary, TwoCoresReportTheBusiestAndCountAll) {
  Fixture f;
  sim::Timeline t = Fixture::timeline();
  sim::CoreTotals other = t.cores[0];
  other.end = 900;
  other.busy = {10, 20, 30, 40, 50, 60};
  t.cores.push_back(other);
  t.instr_ns.push_back({0, 10, 0, 0});
  t.instr_runs.push_back({0, 1, 0, 0});
  t.slices.push_back(Fixture::slice(700, 900, 1, 0, -1, 1));
  t.latency_ns = 900;
  perf::Summary s = perf::summarize(t, {&f.p, &f.p});
  EXPECT_DOUBLE_EQ(s.busy_us[0], 0.01);  // core 1 ends last
  ASSERT_EQ(s.per_core_busy_us.size(), 2u);
  EXPECT_DOUBLE_EQ(s.per_core_busy_us[0][0], 0.3);
  EXPECT_EQ(s.instructions, 8u);
  EXPECT_DOUBLE_EQ(s.mfu, 2 * 2.0 * 128 * 128 * 128 / (900 * 100'000.0 * 2));
  EXPECT_DOUBLE_EQ(s.critical_path_us[0], 0.2);  // the last slice waited for nothing
  EXPECT_EQ(s.top_lines[0].instructions, 2u);    // line 3 ran on both cores
  EXPECT_NE(perf::summary_text(s, "k", "trn2").find("core 1:"), std::string::npos);
}

TEST(PerfTrace, PerfettoJson) {
  Fixture f;
  sim::Timeline t = Fixture::timeline();
  std::string j = perf::perfetto_json(t, {&f.p});
  ASSERT_TRUE(valid_json(j)) << j;
  EXPECT_EQ(count(j, "\"ph\":\"X\""), t.slices.size());
  EXPECT_EQ(count(j, "\"name\":\"thread_name\""), 4u);  // tensor, vector, dma0, dma1
  EXPECT_NE(j.find("\"args\":{\"name\":\"core 0\"}"), std::string::npos);
  EXPECT_NE(j.find("\"name\":\"nc_matmul\",\"cat\":\"tensor\",\"pid\":0,\"tid\":0,\"ts\":0.1,\"dur\":0.3"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("\"source\":\"dir/k\\\"\\\\\\u003c/script>.py:3\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"dst\":\"float32@psum:acc[0][[128,128],[1,128]]\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"tensors\":[\"acc\",\"x\"]"), std::string::npos) << j;

  sim::Timeline empty;
  EXPECT_TRUE(valid_json(perf::perfetto_json(empty, {})));
  empty.cores.resize(1);
  EXPECT_TRUE(valid_json(perf::perfetto_json(empty, {})));
}

TEST(PerfHtml, SelfContainedWithData) {
  Fixture f;
  sim::Timeline t = Fixture::timeline();
  perf::Summary s = perf::summarize(t, {&f.p});
  std::string h = perf::html_report(t, {&f.p}, s, "k<b>", "trn2");
  EXPECT_EQ(h.find("http://"), std::string::npos);
  EXPECT_EQ(h.find("https://"), std::string::npos);
  EXPECT_NE(h.find("<title>k&lt;b&gt; on trn2"), std::string::npos);
  EXPECT_NE(h.find("<div id=\"tracks\">"), std::string::npos);
  EXPECT_NE(h.find("{ class: \"track\""), std::string::npos);  // the page adds one element per track
  EXPECT_EQ(count(h, "</script>"), 2u);                        // the file name's "</script>" is escaped in the data
  const std::string open = "<script type=\"application/json\" id=\"data\">";
  size_t b = h.find(open);
  ASSERT_NE(b, std::string::npos);
  b += open.size();
  std::string data = h.substr(b, h.find("</script>", b) - b);
  ASSERT_TRUE(valid_json(data)) << data;
  EXPECT_NE(data.find("\"slices\":5,"), std::string::npos);
  EXPECT_EQ(count(data, "\"count\":"), 4u);  // tracks: tensor, vector, dma0, dma1
  EXPECT_NE(data.find("\"name\":\"tensor\",\"engine\":\"tensor\",\"count\":1,\"s\":[100,300,"), std::string::npos)
      << data;
  EXPECT_NE(data.find("\"latency_us\":0.6"), std::string::npos);
}

TEST(PerfHtml, LargeTimelinesAreBinned) {
  Fixture f;
  sim::Timeline t;
  t.cores.resize(1);
  for (int i = 0; i < 409'600; ++i)  // busy half the time; 4096 bins of 1000 ns
    t.slices.push_back(Fixture::slice(i * 10.0, i * 10.0 + 5, 1, static_cast<int>(Track::Tensor), -1));
  t.latency_ns = 4'096'000;
  t.cores[0].end = t.latency_ns;
  std::string h = perf::html_report(t, {&f.p}, perf::summarize(t, {&f.p}), "big", "trn2");
  EXPECT_LT(h.size(), 200'000u);
  EXPECT_NE(h.find("\"slices\":409600,"), std::string::npos);
  EXPECT_NE(h.find("\"count\":409600,\"binw\":1000,"), std::string::npos);
  EXPECT_NE(h.find("\"bins\":[0.5,0.5,"), std::string::npos);
}
