// Test helper shared by the report tests: reads back the first sheet of an .xlsx file (Poco Zip
// and Poco XML over xl/worksheets/sheet1.xml, xl/sharedStrings.xml and xl/styles.xml).
#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/DOM/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace mh::testing_support {

struct XlsxCell {
  enum class Kind { Blank, Number, Text };
  Kind kind = Kind::Blank;
  std::string value;   // the text, or the number as the XML writes it
  std::string format;  // the number format code: "General", "0", "0.0", "yyyy-mm-dd hh:mm:ss"
  bool bold = false;
};

struct XlsxSheet {
  std::vector<std::vector<XlsxCell>> rows;  // row 1 first; cells by column (gaps are Blank)
  std::string autofilter;                   // <autoFilter ref="A1:T4">, empty without one
  bool header_frozen = false;               // a frozen pane below row 1
  std::map<int, double> widths;             // column (0-based) -> width in characters
};

namespace xlsx_detail {

inline std::string entry(const std::string& bytes, const std::string& name, bool required) {
  std::istringstream in(bytes);
  Poco::Zip::ZipArchive archive(in);
  auto it = archive.findHeader(name);
  if (it == archive.headerEnd()) {
    if (required) throw std::runtime_error("no " + name + " in the workbook");
    return {};
  }
  Poco::Zip::ZipInputStream zip(in, it->second);
  return {std::istreambuf_iterator<char>(zip), std::istreambuf_iterator<char>()};
}

inline std::vector<Poco::XML::Element*> elements(Poco::XML::Node* root, const std::string& tag) {
  std::vector<Poco::XML::Element*> out;
  Poco::AutoPtr<Poco::XML::NodeList> list =
      static_cast<Poco::XML::Element*>(root)->getElementsByTagName(tag);
  for (unsigned long i = 0; i < list->length(); ++i)
    out.push_back(static_cast<Poco::XML::Element*>(list->item(i)));
  return out;
}

inline std::string textOf(Poco::XML::Element* e) {
  std::string out;
  for (auto* t : elements(e, "t")) out += t->innerText();
  return out;
}

// "G12" -> 6.
inline int columnOf(const std::string& ref) {
  int col = 0;
  for (char c : ref) {
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + (c - 'A' + 1);
  }
  return col - 1;
}

inline std::string builtinFormat(int id) {
  switch (id) {
    case 0:
      return "General";
    case 1:
      return "0";
    case 2:
      return "0.00";
    case 14:
      return "m/d/yyyy";
    case 22:
      return "m/d/yyyy h:mm";
  }
  return "builtin " + std::to_string(id);
}

}  // namespace xlsx_detail

inline XlsxSheet readXlsx(const std::string& bytes) {
  using namespace xlsx_detail;
  Poco::XML::DOMParser parser;
  XlsxSheet sheet;

  std::vector<std::string> shared;
  if (auto text = entry(bytes, "xl/sharedStrings.xml", false); !text.empty()) {
    Poco::AutoPtr<Poco::XML::Document> doc = parser.parseString(text);
    for (auto* si : elements(doc->documentElement(), "si")) shared.push_back(textOf(si));
  }

  // Style index -> (format code, bold).
  std::vector<std::pair<std::string, bool>> styles;
  {
    Poco::AutoPtr<Poco::XML::Document> doc =
        parser.parseString(entry(bytes, "xl/styles.xml", true));
    std::map<int, std::string> codes;
    for (auto* f : elements(doc->documentElement(), "numFmt"))
      codes[std::stoi(f->getAttribute("numFmtId"))] = f->getAttribute("formatCode");
    std::vector<bool> boldFonts;
    for (auto* font : elements(doc->documentElement(), "font"))
      boldFonts.push_back(!elements(font, "b").empty());
    auto xfsList = elements(doc->documentElement(), "cellXfs");
    if (!xfsList.empty()) {
      for (auto* xf : elements(xfsList[0], "xf")) {
        const int id = std::stoi(xf->getAttribute("numFmtId"));
        const int font = xf->hasAttribute("fontId") ? std::stoi(xf->getAttribute("fontId")) : 0;
        styles.emplace_back(codes.count(id) ? codes[id] : builtinFormat(id),
                            font < static_cast<int>(boldFonts.size()) && boldFonts[font]);
      }
    }
  }

  Poco::AutoPtr<Poco::XML::Document> doc =
      parser.parseString(entry(bytes, "xl/worksheets/sheet1.xml", true));
  auto* root = doc->documentElement();
  for (auto* pane : elements(root, "pane"))
    if (pane->getAttribute("state") == "frozen" && pane->getAttribute("ySplit") == "1")
      sheet.header_frozen = true;
  for (auto* filter : elements(root, "autoFilter")) sheet.autofilter = filter->getAttribute("ref");
  for (auto* col : elements(root, "col"))
    for (int c = std::stoi(col->getAttribute("min")); c <= std::stoi(col->getAttribute("max")); ++c)
      sheet.widths[c - 1] = std::stod(col->getAttribute("width"));
  for (auto* row : elements(root, "row")) {
    const auto r = static_cast<std::size_t>(std::stoul(row->getAttribute("r")));
    if (sheet.rows.size() < r) sheet.rows.resize(r);
    auto& cells = sheet.rows[r - 1];
    for (auto* c : elements(row, "c")) {
      const auto col = static_cast<std::size_t>(columnOf(c->getAttribute("r")));
      if (cells.size() <= col) cells.resize(col + 1);
      XlsxCell& cell = cells[col];
      const std::string type = c->getAttribute("t");
      auto values = elements(c, "v");
      if (type == "inlineStr") {
        cell.kind = XlsxCell::Kind::Text;
        cell.value = textOf(c);
      } else if (type == "s" && !values.empty()) {
        cell.kind = XlsxCell::Kind::Text;
        cell.value = shared.at(std::stoul(values[0]->innerText()));
      } else if (type == "str" && !values.empty()) {
        cell.kind = XlsxCell::Kind::Text;
        cell.value = values[0]->innerText();
      } else if ((type.empty() || type == "n") && !values.empty()) {
        cell.kind = XlsxCell::Kind::Number;
        cell.value = values[0]->innerText();
      }
      const std::size_t style = c->hasAttribute("s") ? std::stoul(c->getAttribute("s")) : 0;
      if (style < styles.size()) std::tie(cell.format, cell.bold) = styles[style];
    }
  }
  return sheet;
}

// The Excel serial date (days since 1899-12-30, fraction = time of day) of a UTC time
// "YYYY-MM-DDTHH:MM:SS[.fff][Z]"; nullopt when the text is not one.
inline std::optional<double> excelSerial(const std::string& iso) {
  int y, mo, d, h, mi;
  double s;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf", &y, &mo, &d, &h, &mi, &s) != 6)
    return std::nullopt;
  // Days from civil (H. Hinnant's algorithm), then shift from 1970-01-01 to 1899-12-30.
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const double days = era * 146097.0 + doe - 719468 + 25569;
  return days + (h * 3600 + mi * 60 + s) / 86400.0;
}

// Empty when the sheet holds the CSV's rows (readCsv): the same number of rows and columns, each
// text cell the CSV's text (which may carry the CSV's formula-guarding apostrophe), each number
// the CSV's number, each date the CSV's UTC time (to the millisecond), blank where the CSV is
// empty. Otherwise the first difference.
inline std::string differences(const std::vector<std::vector<std::string>>& csv,
                               const XlsxSheet& sheet) {
  if (csv.size() != sheet.rows.size())
    return std::to_string(csv.size()) + " CSV rows, " + std::to_string(sheet.rows.size()) +
           " XLSX rows";
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const auto& cells = sheet.rows[r];
    if (cells.size() > csv[r].size())
      return "row " + std::to_string(r + 1) + ": " + std::to_string(cells.size()) +
             " XLSX cells, " + std::to_string(csv[r].size()) + " CSV cells";
    for (std::size_t c = 0; c < csv[r].size(); ++c) {
      const std::string& want = csv[r][c];
      const XlsxCell cell = c < cells.size() ? cells[c] : XlsxCell{};
      const std::string where = "row " + std::to_string(r + 1) + " column " + std::to_string(c + 1);
      bool same = false;
      if (cell.kind == XlsxCell::Kind::Blank) {
        same = want.empty();
      } else if (cell.kind == XlsxCell::Kind::Text) {
        same = want == cell.value || want == "'" + cell.value;
      } else if (cell.format.find("yyyy") != std::string::npos) {
        auto serial = excelSerial(want);
        same = serial && std::fabs(*serial - std::stod(cell.value)) < 0.001 / 86400;
      } else {
        char* end = nullptr;
        const double number = std::strtod(want.c_str(), &end);
        same = !want.empty() && *end == '\0' && number == std::stod(cell.value);
      }
      if (!same) return where + ": CSV '" + want + "', XLSX '" + cell.value + "'";
    }
  }
  return {};
}

}  // namespace mh::testing_support
