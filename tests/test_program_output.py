"""program_output.compare, the line-by-line comparison of a program's output with TensorFlow's."""
from program_output import compare

_HEADER = [" Layer (type)                Output Shape              Param #   ",
           "================================================================="]


def test_a_layer_name_wrapped_over_three_lines_is_joined_whole_in_both_outputs():
    # tf.keras 2.21 cuts the first column one character earlier than 2.11 (whose table chainrule prints)
    tf_221 = _HEADER + [" token_and_position_embeddi  (None, 200, 32)           646400    ",
                        " ng (TokenAndPositionEmbedd                                      ",
                        " ing)                                                            ",
                        "                                                                 ",
                        "Total params: 646400 (2.47 MB)"]
    tf_211 = _HEADER + [" token_and_position_embeddin  (None, 200, 32)          646400    ",
                        " g (TokenAndPositionEmbeddin                                     ",
                        " g)                                                              ",
                        "                                                                 ",
                        "Total params: 646,400"]
    assert compare("\n".join(tf_221), "\n".join(tf_211)) == []
    other = [line.replace("200, 32", "200, 33") for line in tf_211]
    assert compare("\n".join(tf_221), "\n".join(other))  # the numbers on the joined row are still compared


def test_an_output_shape_wrapped_by_tf_keras_2_21_reads_as_the_whole_shape():
    tf_221 = _HEADER + [" conv_lstm2d (ConvLSTM2D)    (None, None, 12, 12, 64   416256    ",
                        "                             )                                   ",
                        "                                                                 ",
                        " batch_normalization (Batch  (None, None, 12, 12, 64   256       ",
                        " Normalization)              )                                   ",
                        "                                                                 "]
    tf_211 = _HEADER + [" conv_lstm2d (ConvLSTM2D)    (None, None, 12, 12, 64)  416256    ",
                        "                                                                 ",
                        " batch_normalization (BatchN  (None, None, 12, 12, 64)  256      ",
                        " ormalization)                                                   ",
                        "                                                                 "]
    assert compare("\n".join(tf_221), "\n".join(tf_211)) == []
    other = [line.replace("12, 12, 64)", "12, 13, 64)") for line in tf_211]
    assert compare("\n".join(tf_221), "\n".join(other))
def test_a_functional_summary_s_wrapped_connected_to_list_is_joined_in_both_outputs():
    # tf.keras 2.21's Connected to column is 3 characters narrower than 2.11's: it cuts a long inbound name
    tf_221 = [" Layer (type)                Output Shape                 Param #   Connected to                  ",
              "==================================================================================================",
              " lambda (Lambda)             (None, 1)                    0         ['model[0][0]',               ",
              "                                                                     'model[1][0]']               ",
              "                                                                                                  ",
              " batch_normalization_2 (Bat  (None, 1)                    4         ['lambda[0][0]']              ",
              " chNormalization)                                                                                 ",
              "                                                                                                  ",
              " dense_1 (Dense)             (None, 1)                    2         ['batch_normalization_2[0][0]'",
              "                                                                    ]                             ",
              "                                                                                                  ",
              "==================================================================================================",
              "Total params: 6 (24.00 Byte)"]
    tf_211 = [" Layer (type)                   Output Shape         Param #     Connected to                     ",
              "==================================================================================================",
              " lambda (Lambda)                (None, 1)            0           ['model[0][0]',                  ",
              "                                                                  'model[1][0]']                  ",
              "                                                                                                  ",
              " batch_normalization_2 (BatchNo  (None, 1)           4           ['lambda[0][0]']                 ",
              " rmalization)                                                                                     ",
              "                                                                                                  ",
              " dense_1 (Dense)                (None, 1)            2           ['batch_normalization_2[0][0]']  ",
              "                                                                                                  ",
              "==================================================================================================",
              "Total params: 6"]
    assert compare("\n".join(tf_221), "\n".join(tf_211)) == []
    other = [line.replace("'model[1][0]'", "'model[2][0]'") for line in tf_211]
    assert compare("\n".join(tf_221), "\n".join(other))  # the joined lists are still compared
