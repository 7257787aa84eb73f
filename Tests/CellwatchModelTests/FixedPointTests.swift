import CellwatchModel
import Testing

@Suite struct FixedPointTests {
    @Test(arguments: [(947.0, 3, "947.000"), (-0.04, 1, "0.0"), (-0.05, 1, "-0.1"), (1e-5, 2, "0.00"),
                      (2.6e9, 0, "2600000000"), (12.345, 2, "12.35"), (0.5, 0, "1"), (-126.0, 1, "-126.0")])
    func fixedDecimals(value: Double, digits: Int, text: String) {
        #expect(value.fixed(digits) == text)
    }

    @Test func nonFiniteValuesReadAsWords() {
        #expect(Double.infinity.fixed(1) == "inf" && (-Double.infinity).fixed(1) == "-inf" && Double.nan.fixed(1) == "nan")
    }
}
